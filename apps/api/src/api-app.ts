import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { openApiDocument } from './openapi-document';
import { AppConfig, initOrClose, nestLogLevels } from '@conveyor/config';
import { Logger as JsonLogger } from 'nestjs-pino';
import { JobTypeRegistry } from '@conveyor/contracts';
import { ApiModule } from './api.module';
import { HttpObservability } from './observability/http-observability';
import { ApiLifecycle } from './lifecycle/api-lifecycle';
import { dashboardGate } from './observability/dashboard-gate';
import { dashboardThrottle } from './observability/dashboard-throttle';
import { IdentityResolver } from '@conveyor/http';
import { ConveyorThrottlerGuard } from '@conveyor/http';
import { parseJsonBody, rejectNulInUrl, rejectUnsafeJson, requireJsonBody } from '@conveyor/http';

/**
 * Builds the API exactly as `main.ts` serves it; e2e tests use the same function (with the probe
 * job type added to the catalog where they need it).
 */
export async function createApiApp(config: AppConfig, registry?: JobTypeRegistry): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config, registry), {
    bodyParser: false,
    logger: nestLogLevels(config.logLevel),
    bufferLogs: true,
  });
  // JSON lines through pino from here on (logs made while the app was built included).
  app.useLogger(app.get(JsonLogger));
  app.disable('x-powered-by');
  // Express 5's "simple" parser never builds objects from `?a[$ne]=x` (RELIABILITY §3).
  app.set('query parser', 'simple');
  // req.ip (throttling per IP) trusts X-Forwarded-For only from this many proxies in front.
  app.set('trust proxy', config.http.trustProxyHops);
  if (config.env === 'production' && config.identity.mode === 'gateway' && config.http.trustProxyHops === 0) {
    new Logger('API').warn(
      'Gateway mode with TRUST_PROXY_HOPS=0: every request seems to come from the gateway, so per-IP limits are shared by all clients',
    );
  }
  // Request id and HTTP metrics first, so requests refused while their body is read count too.
  app.use(app.get(HttpObservability).middleware);
  // Then the shutdown gate: counts requests in flight and refuses new ones while draining.
  app.use(app.get(ApiLifecycle).middleware);
  app.use(rejectNulInUrl, requireJsonBody, parseJsonBody(config.api.bodyLimitBytes), rejectUnsafeJson);
  setUpSwagger(app, config);
  await initOrClose(app);
  return app;
}

/**
 * Swagger UI at /docs and the OpenAPI document at /docs-json: public, for administrators only
 * (the dashboard's gate and rate-limit class; the default in production), or not served.
 */
function setUpSwagger(app: INestApplication, config: AppConfig): void {
  if (config.api.docs === 'off') return;
  if (config.api.docs === 'admin') {
    app.use(
      ['/docs', '/docs-json'],
      dashboardThrottle(app.get(ConveyorThrottlerGuard)),
      dashboardGate(app.get(IdentityResolver), config.identity.adminToken, 'Conveyor API docs'),
    );
  }
  const document = openApiDocument(app);
  // UI at /docs, JSON at /docs-json.
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { persistAuthorization: true } });
}
