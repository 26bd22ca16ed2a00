import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { QueueingModule } from '@conveyor/queueing';
import { HealthModule } from './health/health.module';
import { ErrorEnvelopeFilter } from '@conveyor/http';
import { IdentityModule } from '@conveyor/http';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { ThrottlingModule } from '@conveyor/http';
import { SuccessEnvelopeInterceptor } from '@conveyor/http';
import { createValidationPipe } from '@conveyor/http';
import { JobsModule } from './jobs/jobs.module';
import { ObservabilityModule } from './observability/observability.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { QueuesModule } from './queues/queues.module';
import { SchedulerModule } from './scheduler/scheduler.module';
import { ViralIdeasModule } from './viral-ideas/viral-ideas.module';

/** The HTTP API. It produces jobs and reads state; it registers no queue consumer. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        QueueingModule.forRoot({ role: 'producer' }),
        LifecycleModule,
        IdentityModule,
        ThrottlingModule,
        JobsModule,
        DeadLettersModule,
        QueuesModule,
        SchedulerModule,
        ViralIdeasModule,
        HealthModule,
        ObservabilityModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        { provide: APP_INTERCEPTOR, useClass: SuccessEnvelopeInterceptor },
      ],
    };
  }
}
