import { ExecutionContext, Global, Injectable, Module, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** One named limit a route counts against instead of its class: `limit` requests per `windowMs`, per caller or per client IP. */
export interface RouteLimitSpec {
  limit: number;
  windowMs: number;
  per: 'caller' | 'ip';
}

const ROUTE_LIMIT = 'conveyor:route-limit';

/**
 * Puts a route (or a controller's routes) under a named limit of its own, instead of its throttle
 * class's (the per-IP ceiling still holds): for routes whose documents promise their own rate (a
 * guide's "10 submissions a minute per IP", "100 status reads a minute"). Every route naming the limit shares one counter per caller or IP. The module that owns the
 * routes defines the limit's value at start (RouteLimits.define), from its settings.
 */
export const RouteLimit = (name: string) => SetMetadata(ROUTE_LIMIT, name);

/** The named route limits, defined by the modules whose routes use them. */
@Injectable()
export class RouteLimits {
  private readonly limits = new Map<string, RouteLimitSpec>();

  define(name: string, spec: RouteLimitSpec): void {
    this.limits.set(name, spec);
  }

  /** The limit a request's route names, with its name; undefined when it names none. */
  of(reflector: Reflector, context: ExecutionContext): (RouteLimitSpec & { name: string }) | undefined {
    const name = reflector.getAllAndOverride<string | undefined>(ROUTE_LIMIT, [context.getHandler(), context.getClass()]);
    if (name === undefined) return undefined;
    const spec = this.limits.get(name);
    // A route naming a limit nobody defined is a wiring mistake: fail loudly, never run unlimited.
    if (!spec) throw new Error(`Route limit "${name}" is used but was never defined (RouteLimits.define)`);
    return { ...spec, name };
  }
}

/** Global, so a product's API module can define its routes' limits wherever it is imported. */
@Global()
@Module({ providers: [RouteLimits], exports: [RouteLimits] })
export class RouteLimitsModule {}
