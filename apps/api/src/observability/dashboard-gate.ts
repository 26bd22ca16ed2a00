import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { IdentityResolver, constantTimeEqual } from '@conveyor/http';

const BASIC = /^Basic +([A-Za-z0-9+/=]+)$/i;

/**
 * Admits only administrators to the queue dashboard, its API and its actions (and to the API docs
 * when API_DOCS=admin). Bull Board and Swagger's pages are mounted on Express outside Nest, so no
 * guard covers them (RELIABILITY §3): this runs in front and decides with the same
 * IdentityResolver as every admin route. A browser cannot send a
 * bearer token, so HTTP Basic with ADMIN_API_TOKEN as the password (any user name) is accepted
 * here too, and a 401 asks for it. Refusals are passed on to Nest's exception handling, so they
 * are the usual error envelope.
 */
export function dashboardGate(
  identity: IdentityResolver,
  adminToken: string | undefined,
  area = 'Conveyor queue dashboard',
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    try {
      if (!isAdmin(req, identity, adminToken)) throw new ConveyorError(ErrorCode.Forbidden, `The ${area} is for administrators`);
      next();
    } catch (error) {
      if (adminToken !== undefined && error instanceof ConveyorError && error.code === ErrorCode.Unauthenticated) {
        res.setHeader('WWW-Authenticate', `Basic realm="${area}", charset="UTF-8"`);
      }
      next(error);
    }
  };
}

/** Whether the request carries valid admin credentials (as dashboardGate reads them); never throws. */
export function hasAdminCredentials(req: Request, identity: IdentityResolver, adminToken: string | undefined): boolean {
  try {
    return isAdmin(req, identity, adminToken);
  } catch {
    return false;
  }
}

function isAdmin(req: Request, identity: IdentityResolver, adminToken: string | undefined): boolean {
  const basic = BASIC.exec(typeof req.headers.authorization === 'string' ? req.headers.authorization : '');
  if (!basic) return identity.resolve(req).admin;
  const credentials = Buffer.from(basic[1], 'base64').toString('utf8');
  const password = credentials.slice(credentials.indexOf(':') + 1);
  if (adminToken === undefined || !constantTimeEqual(password, adminToken)) {
    throw new ConveyorError(ErrorCode.Unauthenticated, 'Invalid admin credentials');
  }
  return true;
}
