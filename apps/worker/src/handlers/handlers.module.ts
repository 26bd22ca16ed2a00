import { DynamicModule, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HandlerRegistry } from './handler-registry';
import { HttpRequestHandler } from './http-request.handler';
import { SendNotificationHandler } from './send-notification.handler';
import { OutboundModule } from '@conveyor/job-runtime';

/** The platform job types' handlers, one line per type; a product's are in its worker module. */
export const PLATFORM_HANDLERS: Provider[] = [HttpRequestHandler, SendNotificationHandler];

@Module({})
export class HandlersModule {
  /** `extraHandlers` lets the benchmark add its no-op type's handler. */
  static forRoot(extraHandlers: Provider[] = []): DynamicModule {
    return {
      module: HandlersModule,
      imports: [DiscoveryModule, OutboundModule],
      providers: [...PLATFORM_HANDLERS, ...extraHandlers, HandlerRegistry],
      exports: [HandlerRegistry],
    };
  }
}
