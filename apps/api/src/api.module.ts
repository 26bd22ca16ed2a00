import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { QueueingModule } from '@conveyor/queueing';
import { HealthModule } from './health/health.module';
import { ErrorEnvelopeFilter, IdentityModule, ThrottlingModule, SuccessEnvelopeInterceptor, createValidationPipe } from '@conveyor/http';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { JobsModule } from './jobs/jobs.module';
import { ObservabilityModule } from './observability/observability.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { QueuesModule } from './queues/queues.module';
import { SchedulerModule } from './scheduler/scheduler.module';
import { NotificationsModule } from './notifications/notifications.module';
import { JobTypeRegistry } from '@conveyor/contracts';
import { jobCatalog } from '@conveyor/products';
import { ViralIdeasApiModule } from '@conveyor/products/viral-ideas';
import { WebsiteContentApiModule } from '@conveyor/products/website-content';
import { VideoAnalysisApiModule } from '@conveyor/products/video-analysis';
import { BusinessDiscoveryApiModule } from '@conveyor/products/business-discovery';

/**
 * The HTTP API: the platform's modules, then one line per product. It produces jobs and reads
 * state; it registers no queue consumer.
 */
@Module({})
export class ApiModule {
  /** `registry`: the job catalog; tests add the probe type to it. */
  static forRoot(config: AppConfig, registry: JobTypeRegistry = jobCatalog): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        QueueingModule.forRoot({ role: 'producer', registry }),
        LifecycleModule,
        IdentityModule,
        ThrottlingModule,
        JobsModule,
        DeadLettersModule,
        QueuesModule,
        SchedulerModule,
        NotificationsModule,
        HealthModule,
        ObservabilityModule,
        // Products: one line each (libs/products).
        ViralIdeasApiModule,
        WebsiteContentApiModule,
        VideoAnalysisApiModule,
        BusinessDiscoveryApiModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        { provide: APP_INTERCEPTOR, useClass: SuccessEnvelopeInterceptor },
      ],
    };
  }
}
