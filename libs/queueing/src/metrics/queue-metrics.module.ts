import { Module } from '@nestjs/common';
import { QueueMetrics } from './queue-metrics.service';
import { WorkerHeartbeats } from './worker-heartbeats';

/**
 * Queue work metrics and worker heartbeats, for both apps (workers write, the API reads). Needs
 * QueueingModule, which provides the queues and Redis connections globally.
 */
@Module({
  providers: [QueueMetrics, WorkerHeartbeats],
  exports: [QueueMetrics, WorkerHeartbeats],
})
export class QueueMetricsModule {}
