import { DynamicModule, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OutboundModule } from '@conveyor/job-runtime';
import { HandlerRegistry } from './handler-registry';
import { HttpRequestHandler } from './http-request.handler';
import { DownstreamClient } from './viral-ideas/downstream-client';
import { ViralIdeasAnalysisHandler } from './viral-ideas/viral-ideas-analysis.handler';
import { ViralServices } from './viral-ideas/viral-services';

/** Every built-in job type's handler; one line here per job type. */
export const BUILT_IN_HANDLERS: Provider[] = [HttpRequestHandler, ViralIdeasAnalysisHandler];

@Module({})
export class HandlersModule {
  /** `extraHandlers` lets the benchmark add its no-op type's handler. */
  static forRoot(extraHandlers: Provider[] = []): DynamicModule {
    return {
      module: HandlersModule,
      imports: [DiscoveryModule, OutboundModule],
      providers: [...BUILT_IN_HANDLERS, ...extraHandlers, DownstreamClient, ViralServices, HandlerRegistry],
      exports: [HandlerRegistry],
    };
  }
}
