import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import { AdminGuard, IdentityGuard } from './identity';
import { ApiErrorResponses } from './swagger-envelope';
import { ThrottleAs } from './throttling/throttle-class';
import { SECURITY } from './security-schemes';

/**
 * Marks a controller or route as admin-only: the caller must hold the admin token or an admin role
 * (401 without identity, 403 for anyone else), under the strictest rate limit.
 */
export function AdminOnly(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(IdentityGuard, AdminGuard),
    ThrottleAs('admin'),
    // The administrators' token, a JWT carrying the admin role, or the gateway vouching for an admin.
    ApiBearerAuth(SECURITY.adminToken),
    ApiBearerAuth(SECURITY.jwt),
    ApiSecurity({ [SECURITY.userId]: [], [SECURITY.gatewaySecret]: [] }),
    ApiErrorResponses(ErrorCode.Unauthenticated, ErrorCode.Forbidden, ErrorCode.RateLimited),
  );
}
