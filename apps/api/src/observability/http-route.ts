import type { Request } from 'express';

/** Where the queue dashboard is mounted (outside Nest's router). */
export const DASHBOARD_PATH = '/admin/queues';

/** The label of requests that matched no route (unknown paths, refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * A request's route template for metrics (`/api/v1/jobs/:jobId`, never the concrete path, so label
 * values stay few): Express's matched route under its mount path. A route of several methods is
 * Nest's middleware, not an endpoint (Nest applies middleware with `app.all()`, which Express 5
 * registers for every method, and Express leaves it in `req.route` when no endpoint matches).
 * Dashboard requests without a route of their own (static files, refused credentials) count as
 * `/admin/queues/*`.
 */
export function routeLabel(req: Pick<Request, 'route' | 'baseUrl' | 'originalUrl'>): string {
  const matched = req.route as { path?: unknown; methods?: Record<string, boolean> } | undefined;
  const route = Object.keys(matched?.methods ?? {}).length > 1 ? undefined : matched?.path;
  if (typeof route === 'string') return `${req.baseUrl ?? ''}${route}` || '/';
  const path = (req.originalUrl ?? '').split('?')[0];
  if (path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`)) return `${DASHBOARD_PATH}/*`;
  return UNMATCHED_ROUTE;
}
