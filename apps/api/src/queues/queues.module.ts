import { Module } from '@nestjs/common';
import { QueueMetricsModule } from '@conveyor/queueing';
import { HealthModule } from '../health/health.module';
import { QueueNamePipe, QueueOverviewController, QueuesController } from './queues.controller';
import { QueueActions } from './queue-actions.service';
import { QueueReads } from './queue-reads.service';

@Module({
  imports: [HealthModule, QueueMetricsModule],
  controllers: [QueuesController, QueueOverviewController],
  providers: [QueueReads, QueueActions, QueueNamePipe],
})
export class QueuesModule {}
