import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { ConveyorError, ErrorCode, Owner } from '@conveyor/contracts';
import type { Request } from 'express';

export const USER_ID_HEADER = 'x-user-id';
export const SESSION_ID_HEADER = 'x-session-id';

const USER_ID = /^[A-Za-z0-9._@:-]{1,128}$/;
/** Session ids must be long enough not to be guessed (at least 16 URL-safe characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{16,128}$/;

type RequestWithOwner = Request & { owner?: Owner };

/**
 * Who is calling: the user id a trusted gateway put in `x-user-id`, else an anonymous session from
 * `x-session-id`. No usable identity → 401.
 */
export function identify(req: Request): Owner {
  const userId = singleHeader(req, USER_ID_HEADER);
  if (userId !== undefined) {
    if (!USER_ID.test(userId)) throw unauthenticated(`${USER_ID_HEADER} must be 1-128 characters of A-Z a-z 0-9 . _ @ : -`);
    return { kind: 'user', id: userId };
  }
  const sessionId = singleHeader(req, SESSION_ID_HEADER);
  if (sessionId !== undefined) {
    if (!SESSION_ID.test(sessionId)) throw unauthenticated(`${SESSION_ID_HEADER} must be 16-128 characters of A-Z a-z 0-9 _ -`);
    return { kind: 'session', id: sessionId };
  }
  throw unauthenticated(`Send ${USER_ID_HEADER} (through the gateway) or ${SESSION_ID_HEADER}`);
}

/** Guards routes that act for a caller; the owner is then available through @CurrentOwner(). */
@Injectable()
export class IdentityGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<RequestWithOwner>();
    req.owner = identify(req);
    return true;
  }
}

export const CurrentOwner = createParamDecorator((_data: unknown, context: ExecutionContext): Owner => {
  const owner = context.switchToHttp().getRequest<RequestWithOwner>().owner;
  if (!owner) throw new Error('CurrentOwner used on a route without IdentityGuard');
  return owner;
});

function singleHeader(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw unauthenticated(`${name} must be sent once`);
  return value;
}

function unauthenticated(detail: string): ConveyorError {
  return new ConveyorError(ErrorCode.Unauthenticated, detail);
}
