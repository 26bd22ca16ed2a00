import { CanActivate, ExecutionContext, Inject, Injectable, PipeTransform, createParamDecorator } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, ErrorCode, Owner, validationFailed } from '@conveyor/contracts';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export const USER_ID_HEADER = 'x-user-id';
export const USER_ROLE_HEADER = 'x-user-role';
export const GATEWAY_SECRET_HEADER = 'x-gateway-secret';
export const SESSION_ID_HEADER = 'x-session-id';

const USER_ID = /^[A-Za-z0-9._@:-]{1,128}$/;
/** Session ids must be long enough not to be guessed (at least 16 URL-safe characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{16,128}$/;
const ADMIN_ROLE = 'admin';
/** The owner of jobs submitted with the admin token and no user. */
const ADMIN_SERVICE: Owner = { kind: 'service', id: 'admin' };

/** Who is calling, and whether they may act on every caller's jobs. */
export interface Caller {
  owner: Owner;
  admin: boolean;
}

type RequestWithCaller = Request & { caller?: Caller };

/**
 * Resolves the caller of a request (README "Identity"):
 * - `Authorization: Bearer <ADMIN_API_TOKEN>`: admin (compared in constant time);
 * - gateway mode: `x-user-id` is trusted; `x-user-role: admin` only with the gateway secret;
 * - jwt mode: any other bearer must be an HS256 JWT (`sub`, `role`); identity headers are ignored;
 * - either mode: `x-session-id` for an anonymous session. Nothing usable → 401.
 */
@Injectable()
export class IdentityResolver {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jwt: JwtService,
  ) {}

  resolve(req: Request): Caller {
    const { mode, adminToken, gatewaySecret } = this.config.identity;
    const bearer = bearerToken(req);
    if (bearer !== undefined) {
      if (adminToken !== undefined && constantTimeEqual(bearer, adminToken)) {
        const user = mode === 'gateway' ? userFromHeader(req) : undefined;
        return { owner: user ?? ADMIN_SERVICE, admin: true };
      }
      if (mode === 'jwt') return this.fromJwt(bearer);
      throw unauthenticated('Invalid admin token');
    }
    if (mode === 'gateway') {
      const user = userFromHeader(req);
      if (user) {
        const secret = singleHeader(req, GATEWAY_SECRET_HEADER);
        const fromGateway = gatewaySecret !== undefined && secret !== undefined && constantTimeEqual(secret, gatewaySecret);
        return { owner: user, admin: fromGateway && singleHeader(req, USER_ROLE_HEADER) === ADMIN_ROLE };
      }
    }
    const sessionId = singleHeader(req, SESSION_ID_HEADER);
    if (sessionId !== undefined) {
      if (!SESSION_ID.test(sessionId)) throw unauthenticated(`${SESSION_ID_HEADER} must be 16-128 characters of A-Z a-z 0-9 _ -`);
      return { owner: { kind: 'session', id: sessionId }, admin: false };
    }
    throw unauthenticated(
      mode === 'gateway'
        ? `Send ${USER_ID_HEADER} (through the gateway) or ${SESSION_ID_HEADER}`
        : `Send a bearer JWT or ${SESSION_ID_HEADER}`,
    );
  }

  private fromJwt(token: string): Caller {
    let claims: { sub?: unknown; role?: unknown; exp?: unknown };
    try {
      claims = this.jwt.verify(token, { secret: this.config.identity.jwtSecret, algorithms: ['HS256'] });
    } catch (error) {
      throw unauthenticated(`Invalid bearer token: ${error instanceof Error ? error.message : 'not a valid JWT'}`);
    }
    // A token that never expires cannot be revoked short of rotating the secret.
    if (typeof claims.exp !== 'number') throw unauthenticated('The JWT needs an "exp" claim');
    if (typeof claims.sub !== 'string' || !USER_ID.test(claims.sub))
      throw unauthenticated('The JWT needs a "sub" claim of 1-128 characters of A-Z a-z 0-9 . _ @ : -');
    return { owner: { kind: 'user', id: claims.sub }, admin: claims.role === ADMIN_ROLE };
  }
}

/** Guards routes that act for a caller; the caller is then available through @CurrentCaller(). */
@Injectable()
export class IdentityGuard implements CanActivate {
  constructor(private readonly identity: IdentityResolver) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<RequestWithCaller>();
    req.caller = this.identity.resolve(req);
    return true;
  }
}

/** Guards admin-only routes (after IdentityGuard): anyone else gets 403. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!callerOf(context.switchToHttp().getRequest<RequestWithCaller>()).admin) {
      throw new ConveyorError(ErrorCode.Forbidden, 'This route is for administrators');
    }
    return true;
  }
}

export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller =>
  callerOf(context.switchToHttp().getRequest<RequestWithCaller>()),
);

/** The caller IdentityGuard attached, for middleware-like code outside parameter decorators. */
export function callerOf(req: Request): Caller {
  const caller = (req as RequestWithCaller).caller;
  if (!caller) throw new Error('Caller read on a route without IdentityGuard');
  return caller;
}

/** Validates a user id in a route parameter the way the gateway header is validated. */
export const userIdPipe: PipeTransform<string, string> = {
  transform(value: string): string {
    if (!USER_ID.test(value))
      throw validationFailed([{ field: 'userId', message: 'userId must be 1-128 characters of A-Z a-z 0-9 . _ @ : -' }]);
    return value;
  },
};

function userFromHeader(req: Request): Owner | undefined {
  const userId = singleHeader(req, USER_ID_HEADER);
  if (userId === undefined) return undefined;
  if (!USER_ID.test(userId)) throw unauthenticated(`${USER_ID_HEADER} must be 1-128 characters of A-Z a-z 0-9 . _ @ : -`);
  return { kind: 'user', id: userId };
}

function bearerToken(req: Request): string | undefined {
  const header = singleHeader(req, 'authorization');
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+)$/i.exec(header);
  if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
  return match[1];
}

/**
 * Compares secrets without leaking where they differ or how long they are: both sides are hashed
 * first, so timingSafeEqual always sees equal lengths (a token of another length is 401, not 500).
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function singleHeader(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw unauthenticated(`${name} must be sent once`);
  return value;
}

function unauthenticated(detail: string): ConveyorError {
  return new ConveyorError(ErrorCode.Unauthenticated, detail);
}
