import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, jsonLoggerOptions } from '@conveyor/config';
import { QueueMetricsModule } from '@conveyor/queueing';
import { LoggerModule } from 'nestjs-pino';
import { OutcomeBuffer } from './outcome-buffer';
import { WorkerActivity } from './worker-activity';
import { WorkerHeartbeatService } from './worker-heartbeat.service';
import { WorkerMetrics } from './worker-metrics';
import { WorkerMetricsServer } from './worker-metrics.server';
import { CircuitBreakers } from '@conveyor/job-runtime';
import { CircuitStatePublisher } from './circuit-state-publisher';

/**
 * The worker's JSON logs (nestjs-pino; job lines carry job id, queue, type and attempt), its
 * Prometheus series and endpoint, per-queue outcome counters in Redis and its heartbeat. Global so
 * the queue consumers can wrap their processors with WorkerActivity.
 */
@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      // No HTTP here: only pino-http's logger is used, never its middleware.
      useFactory: (config: AppConfig) => ({ pinoHttp: jsonLoggerOptions(config, 'worker') }),
    }),
    QueueMetricsModule,
  ],
  // CircuitBreakers: one per downstream service for every DownstreamClient of this worker.
  providers: [
    WorkerMetrics,
    WorkerActivity,
    OutcomeBuffer,
    WorkerHeartbeatService,
    WorkerMetricsServer,
    CircuitBreakers,
    CircuitStatePublisher,
  ],
  exports: [WorkerActivity, WorkerHeartbeatService, CircuitBreakers],
})
export class WorkerObservabilityModule {}
