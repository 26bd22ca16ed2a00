import { Module } from '@nestjs/common';
import { DelayedJobsController, SchedulerController } from './scheduler.controller';
import { SchedulerService } from './scheduler.service';
import { SystemMetrics } from './system-metrics';
import { QueuesModule } from '../queues/queues.module';
import { HealthModule } from '../health/health.module';
import { QueueMetricsModule } from '@conveyor/queueing';

@Module({
  imports: [QueuesModule, HealthModule, QueueMetricsModule],
  controllers: [DelayedJobsController, SchedulerController],
  providers: [SchedulerService, SystemMetrics],
})
export class SchedulerModule {}
