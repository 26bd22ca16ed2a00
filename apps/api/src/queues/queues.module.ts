import { Module } from '@nestjs/common';
import { QueueMetricsModule } from '@conveyor/queueing';
import { HealthModule } from '../health/health.module';
import { QueueNamePipe, QueueOverviewController, QueuesController } from './queues.controller';
import { QueuesService } from './queues.service';

@Module({
  imports: [HealthModule, QueueMetricsModule],
  controllers: [QueuesController, QueueOverviewController],
  providers: [QueuesService, QueueNamePipe],
})
export class QueuesModule {}
