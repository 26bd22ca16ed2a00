import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QueueMetricsModule } from '@conveyor/queueing';
import { DetailedHealthController } from './detailed-health.controller';
import { DetailedHealthService } from './detailed-health.service';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), QueueMetricsModule],
  controllers: [HealthController, DetailedHealthController],
  providers: [RedisHealthIndicator, DetailedHealthService],
  exports: [DetailedHealthService],
})
export class HealthModule {}
