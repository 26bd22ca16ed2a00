import { ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { RedisConnections, conveyorKeys } from '@conveyor/queueing';
import { ConveyorThrottlerGuard } from './conveyor-throttler.guard';
import { RedisThrottleCounters } from './redis-throttle-counters';
import { ThrottleClass, throttleClassOf } from './throttle-class';
import { RouteLimits, RouteLimitsModule } from './route-limit';

/**
 * Rate limits with `@nestjs/throttler`, counted in Redis so they hold across API replicas:
 * reads per caller; submissions per caller and per client IP; bulk submissions per caller (each
 * carries up to 500 jobs); admin routes per caller, strictest; and a ceiling per client IP over
 * all of them. A request counts against its own class only (see @ThrottleAs), or, when its route
 * declares a named limit (see @RouteLimit), against that limit instead; the IP ceiling always.
 */
@Module({
  imports: [
    RouteLimitsModule,
    ThrottlerModule.forRootAsync({
      imports: [RouteLimitsModule],
      inject: [APP_CONFIG, RedisConnections, Reflector, RouteLimits],
      useFactory: (config: AppConfig, connections: RedisConnections, reflector: Reflector, routes: RouteLimits): ThrottlerModuleOptions => {
        const { windowMs, readLimit, submitLimit, submitIpLimit, adminLimit, bulkLimit, ipLimit } = config.throttle;
        // A route with a named limit of its own counts against it instead of its class.
        const only =
          (...classes: ThrottleClass[]) =>
          (context: ExecutionContext) =>
            !classes.includes(throttleClassOf(reflector, context)) || routes.of(reflector, context) !== undefined;
        const ip = ConveyorThrottlerGuard.ipTracker;
        const routeLimit = (per: 'caller' | 'ip') => ({
          skipIf: (context: ExecutionContext) => routes.of(reflector, context)?.per !== per,
          limit: (context: ExecutionContext) => routes.of(reflector, context)!.limit,
          ttl: (context: ExecutionContext) => routes.of(reflector, context)!.windowMs,
          // One counter per named limit (shared by the routes naming it) and caller or IP.
          generateKey: (context: ExecutionContext, tracker: string) =>
            conveyorKeys(config.redis.prefix).throttle(`route:${routes.of(reflector, context)!.name}`, tracker),
        });
        return {
          throttlers: [
            { name: 'read', ttl: windowMs, limit: readLimit, skipIf: only('read') },
            { name: 'submit', ttl: windowMs, limit: submitLimit, skipIf: only('submit') },
            { name: 'bulk', ttl: windowMs, limit: bulkLimit, skipIf: only('bulk') },
            { name: 'admin', ttl: windowMs, limit: adminLimit, skipIf: only('admin') },
            { name: 'submit-ip', ttl: windowMs, limit: submitIpLimit, skipIf: only('submit'), getTracker: ip },
            // Callers choose their own session ids; this ceiling holds whatever they send, on every route.
            {
              name: 'ip',
              ttl: windowMs,
              limit: ipLimit,
              skipIf: (context) => throttleClassOf(reflector, context) === 'none',
              getTracker: ip,
            },
            { name: 'route', ...routeLimit('caller') },
            { name: 'route-ip', ...routeLimit('ip'), getTracker: ip },
          ],
          // One counter per class and caller across all routes and replicas (not per route).
          generateKey: (_context, tracker, throttler) => conveyorKeys(config.redis.prefix).throttle(throttler, tracker),
          storage: new RedisThrottleCounters(connections.commandClient()),
        };
      },
    }),
  ],
  // Exported for the routes Nest's guards do not cover (the queue dashboard, an Express router).
  providers: [ConveyorThrottlerGuard, { provide: APP_GUARD, useExisting: ConveyorThrottlerGuard }],
  exports: [ConveyorThrottlerGuard, RouteLimitsModule],
})
export class ThrottlingModule {}
