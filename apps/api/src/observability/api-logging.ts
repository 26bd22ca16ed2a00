import { AppConfig, jsonLoggerOptions } from '@conveyor/config';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { requestIdFor } from './request-id';

/** Probes and scrapes come every few seconds; a log line each would drown everything else. */
const UNLOGGED_PATHS = new Set(['/health', '/metrics']);

/**
 * nestjs-pino for the API: JSON lines, one `request completed` line per request (method, path
 * without its query string, status, time; never headers, so no credentials) and every log made
 * while serving a request carries its `reqId`. nestjs-pino keeps one pino-http instance per
 * process, so in-process test instances share the first one's settings.
 */
export function apiLoggerParams(config: AppConfig): Params {
  const shared = jsonLoggerOptions(config, 'api');
  return {
    pinoHttp: {
      ...shared,
      // HttpObservability gave the request its id before body parsing; this is only a fallback.
      genReqId: (req) => requestIdFor(req.headers['x-request-id']),
      quietReqLogger: true,
      // 503s (a dependency down) are expected and their causes logged where they happen.
      customLogLevel: (_req, res, error) => (error || res.statusCode === 500 ? 'error' : 'info'),
      autoLogging: { ignore: (req) => UNLOGGED_PATHS.has(pathOf(req)) },
      serializers: {
        ...shared.serializers,
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}

/** The path as requested (Express's originalUrl: req.url is relative to the middleware's mount). */
function pathOf(req: IncomingMessage & { originalUrl?: string }): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0];
}
