import { DynamicModule, Module, Provider } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@conveyor/config';
import { JobTypeRegistry } from '@conveyor/contracts';
import { jobCatalog } from '@conveyor/products';
import { ViralIdeasWorkerModule } from '@conveyor/products/viral-ideas';
import { WebsiteContentWorkerModule } from '@conveyor/products/website-content';
import { VideoAnalysisWorkerModule } from '@conveyor/products/video-analysis';
import { BusinessDiscoveryWorkerModule } from '@conveyor/products/business-discovery';
import { DatabaseModule } from '@conveyor/database';
import { QueueingModule } from '@conveyor/queueing';
import { ConsumersModule } from './consumers/consumers.module';
import { HandlersModule } from './handlers/handlers.module';
import { WorkerObservabilityModule } from './observability/worker-observability.module';
import { RecoveryModule } from './recovery/recovery.module';
import { SchedulerModule } from './scheduler/scheduler.module';

export interface WorkerModuleOptions {
  config: AppConfig;
  /** Defaults to the job catalog (libs/products); the benchmark adds its own type. */
  registry?: JobTypeRegistry;
  extraHandlers?: Provider[];
}

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    const registry = options.registry ?? jobCatalog;
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(options.config),
        DatabaseModule.forRoot(),
        QueueingModule.forRoot({ role: 'worker', registry }),
        WorkerObservabilityModule,
        ConsumersModule.forRoot(HandlersModule.forRoot(options.extraHandlers)),
        RecoveryModule,
        SchedulerModule,
        // Products: one line each (libs/products).
        ViralIdeasWorkerModule,
        WebsiteContentWorkerModule,
        VideoAnalysisWorkerModule,
        BusinessDiscoveryWorkerModule,
      ],
    };
  }
}
