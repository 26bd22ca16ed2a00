import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { RedisConnections } from '@conveyor/queueing';
import { ConveyorThrottlerGuard } from './conveyor-throttler.guard';
import { ThrottleClass, throttleClassOf } from './throttle-class';

/**
 * Rate limits with `@nestjs/throttler`, counted in Redis so they hold across API replicas:
 * reads per caller; submissions per caller and per client IP; admin routes per caller, strictest.
 * A request counts against its own class only (see @ThrottleAs).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, RedisConnections, Reflector],
      useFactory: (config: AppConfig, connections: RedisConnections, reflector: Reflector): ThrottlerModuleOptions => {
        const { windowMs, readLimit, submitLimit, submitIpLimit, adminLimit } = config.throttle;
        const only =
          (...classes: ThrottleClass[]) =>
          (context: ExecutionContext) =>
            !classes.includes(throttleClassOf(reflector, context));
        return {
          throttlers: [
            { name: 'read', ttl: windowMs, limit: readLimit, skipIf: only('read') },
            { name: 'submit', ttl: windowMs, limit: submitLimit, skipIf: only('submit') },
            {
              name: 'submit-ip',
              ttl: windowMs,
              limit: submitIpLimit,
              skipIf: only('submit'),
              getTracker: ConveyorThrottlerGuard.ipTracker,
            },
            { name: 'admin', ttl: windowMs, limit: adminLimit, skipIf: only('admin') },
          ],
          // One counter per class and caller across all routes and replicas (not per route).
          generateKey: (_context, tracker, throttler) => `${config.redis.prefix}:throttle:${throttler}:${tracker}`,
          storage: new ThrottlerStorageRedisService(connections.commandClient()),
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ConveyorThrottlerGuard }],
})
export class ThrottlingModule {}
