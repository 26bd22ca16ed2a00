import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConveyorThrottlerGuard } from '@conveyor/http';
import { ThrottleAs } from '@conveyor/http';

/** Bull Board's route, as the throttler sees it: in the `admin` class, like the admin API. */
@ThrottleAs('admin')
class QueueDashboardRoute {
  handle(): void {}
}

/** The board's own files (scripts, styles, images), read from disk. */
const STATIC_ASSETS = /^\/static\//;

/**
 * Rate-limits the queue dashboard, which is mounted on Express outside Nest's guards
 * (RELIABILITY §3). It runs the app's own throttler guard on each request, as a route of the
 * `admin` class: the same Redis counters as the admin API (per caller, and the per-IP ceiling),
 * the same fail-open and the same 429 envelope with Retry-After.
 *
 * The board's static files are not counted for a request `isAdmin` vouches for, so loading the
 * board does not eat an administrator's budget. Anyone else's are: the gate checks the Basic
 * password there too, and guesses must be limited wherever they are made.
 */
export function dashboardThrottle(guard: ConveyorThrottlerGuard, isAdmin: (req: Request) => boolean = () => false): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (STATIC_ASSETS.test(req.path) && isAdmin(req)) return next();
    const context = new ExecutionContextHost([req, res, next], QueueDashboardRoute, QueueDashboardRoute.prototype.handle);
    context.setType('http');
    guard.canActivate(context).then(
      () => next(),
      (error: unknown) => next(error),
    );
  };
}
