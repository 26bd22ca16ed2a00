import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QueueMetricsModule } from '@conveyor/queueing';
import { DetailedHealthController } from './detailed-health.controller';
import { DetailedHealthService } from './detailed-health.service';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';
import { QueueHealthSummary } from './queue-health-summary';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), QueueMetricsModule],
  controllers: [HealthController, DetailedHealthController],
  providers: [RedisHealthIndicator, DetailedHealthService, QueueHealthSummary],
  exports: [DetailedHealthService, QueueHealthSummary],
})
export class HealthModule {}
