import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConveyorThrottlerGuard } from '@conveyor/http';
import { ThrottleAs } from '@conveyor/http';

/** Bull Board's route, as the throttler sees it: in the `admin` class, like the admin API. */
@ThrottleAs('admin')
class QueueDashboardRoute {
  handle(): void {}
}

/** The board's own files (scripts, styles, images): read from disk, not counted. */
const STATIC_ASSETS = /^\/static\//;

/**
 * Rate-limits the queue dashboard, which is mounted on Express outside Nest's guards
 * (RELIABILITY §3). It runs the app's own throttler guard on each request, as a route of the
 * `admin` class: the same Redis counters as the admin API (per caller, and the per-IP ceiling),
 * the same fail-open and the same 429 envelope with Retry-After.
 */
export function dashboardThrottle(guard: ConveyorThrottlerGuard): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (STATIC_ASSETS.test(req.path)) return next();
    const context = new ExecutionContextHost([req, res, next], QueueDashboardRoute, QueueDashboardRoute.prototype.handle);
    context.setType('http');
    guard.canActivate(context).then(
      () => next(),
      (error: unknown) => next(error),
    );
  };
}
