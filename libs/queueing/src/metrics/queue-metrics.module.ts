import { Module } from '@nestjs/common';
import { QueueMetrics } from './queue-metrics.service';
import { ServiceHealthStore } from './service-health';
import { CircuitStates } from './circuit-states';
import { WorkerHeartbeats } from './worker-heartbeats';

/**
 * Queue work metrics, worker heartbeats and downstream services' probes, for both apps (workers write, the API reads). Needs
 * QueueingModule, which provides the queues and Redis connections globally.
 */
@Module({
  providers: [QueueMetrics, WorkerHeartbeats, ServiceHealthStore, CircuitStates],
  exports: [QueueMetrics, WorkerHeartbeats, ServiceHealthStore, CircuitStates],
})
export class QueueMetricsModule {}
