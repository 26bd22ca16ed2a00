import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ErrorCode, metricsRequestAllowed, errorField } from '@conveyor/contracts';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { WorkerMetrics } from './worker-metrics';

/**
 * The worker's Prometheus endpoint: `GET /metrics` on WORKER_METRICS_HOST:WORKER_METRICS_PORT
 * (0 turns it off), behind METRICS_TOKEN when one is set; and `GET /health`, the liveness a
 * container healthcheck probes (it tells nothing but that the process answers, so no token).
 * The worker has no Nest HTTP server, so this is a bare node:http server; it closes with the
 * application.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server?: http.Server;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: WorkerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { workerPort: port, workerHost: host } = this.config.metrics;
    if (port === 0) return;
    const server = http.createServer((req, res) => void this.handle(req, res));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      // A second worker on the same host with the default port: say which setting to change.
      throw new Error(
        `WORKER_METRICS_PORT ${port} on ${host} is unavailable (${(cause as NodeJS.ErrnoException).code ?? cause}); ` +
          'give each worker process on a host its own port, or 0 to turn the endpoint off',
        { cause },
      );
    }
    this.server = server;
    this.logger.log(`Metrics at http://${host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return void res.end(JSON.stringify({ success: true, data: { status: 'ok', uptime: Math.floor(process.uptime()) } }));
    }
    if (req.method !== 'GET' || path !== '/metrics')
      return reply(res, 404, ErrorCode.RouteNotFound, 'Only GET /metrics and GET /health are served here');
    if (!metricsRequestAllowed(req.headers.authorization, this.config.metrics.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return reply(res, 401, ErrorCode.Unauthenticated, 'Send Authorization: Bearer <METRICS_TOKEN>');
    }
    try {
      const body = await this.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
      res.end(body);
    } catch (error) {
      this.logger.error(errorField(error), 'Metrics could not be collected');
      reply(res, 500, ErrorCode.InternalError, 'Metrics could not be collected');
    }
  }
}

/** Errors in the same envelope as the API's (DESIGN §4). */
function reply(res: ServerResponse, status: number, code: ErrorCode, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ success: false, detail, error_code: code, timestamp: new Date().toISOString() }));
}
