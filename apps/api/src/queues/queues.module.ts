import { Inject, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { RouteLimits } from '@conveyor/http';
import { QueueMetricsModule } from '@conveyor/queueing';
import { HealthModule } from '../health/health.module';
import { QUEUE_ADMIN_LIMIT, QUEUE_STATUS_LIMIT, QueueNamePipe, QueueOverviewController, QueuesController } from './queues.controller';
import { QueueActions } from './queue-actions.service';
import { QueueManager } from './queue-manager.service';
import { QueueReads } from './queue-reads.service';

@Module({
  imports: [HealthModule, QueueMetricsModule],
  controllers: [QueuesController, QueueOverviewController],
  providers: [QueueReads, QueueActions, QueueManager, QueueNamePipe],
  // The scheduler's stats and metrics read the queues as the queues API does.
  exports: [QueueReads],
})
export class QueuesModule {
  constructor(@Inject(APP_CONFIG) config: AppConfig, limits: RouteLimits) {
    const { windowMs, queueStatusLimit, queueAdminLimit } = config.throttle;
    limits.define(QUEUE_STATUS_LIMIT, { limit: queueStatusLimit, windowMs, per: 'caller' });
    limits.define(QUEUE_ADMIN_LIMIT, { limit: queueAdminLimit, windowMs, per: 'caller' });
  }
}
