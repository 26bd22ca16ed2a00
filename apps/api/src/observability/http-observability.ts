import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApiMetrics } from './api-metrics';
import { routeLabel } from './http-route';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';

/**
 * The first middleware of every request (before body parsing, so refused bodies count too): gives
 * the request its id (the incoming `x-request-id` if well-formed, else a new one), which pino-http
 * then logs and every response carries, and times it into the HTTP metrics when the response closes.
 */
@Injectable()
export class HttpObservability {
  constructor(private readonly metrics: ApiMetrics) {}

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const startedAt = process.hrtime.bigint();
    req.id = requestIdFor(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, req.id);
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      this.metrics.observeRequest(req.method, routeLabel(req), res.statusCode, seconds);
    });
    next();
  };
}
