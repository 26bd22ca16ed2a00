import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { buildInfo } from '@conveyor/queueing';

/** Processing times from 10 ms to 4 h: analyses run for 15 minutes or an hour, the longest timeouts for hours. */
const PROCESSING_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];
/** Waits from submission to a first attempt's start: 10 ms to a day (a backlog, or a paused queue). */
const WAIT_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400];

/**
 * Every Prometheus series a worker process exposes (on WORKER_METRICS_PORT), in a registry of its
 * own rather than prom-client's global one, so nothing leaks between app instances in one process.
 */
@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();

  readonly jobs = new Counter({
    name: 'conveyor_jobs_total',
    help: 'Job attempts this worker finished, by queue, job type and outcome (completed, failed for good, retried, cancelled)',
    labelNames: ['queue', 'type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly processingSeconds = new Histogram({
    name: 'conveyor_job_processing_seconds',
    help: 'Time one attempt took in this worker, by queue, job type and outcome',
    labelNames: ['queue', 'type', 'outcome'] as const,
    buckets: PROCESSING_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  readonly waitSeconds = new Histogram({
    name: 'conveyor_job_wait_seconds',
    help: 'Time a job waited from its submission (after any delay it asked for) to its first attempt’s start, by queue and job type',
    labelNames: ['queue', 'type'] as const,
    buckets: WAIT_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'conveyor_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by event and outcome (delivered, retried, failed for good)',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly activeJobs = new Gauge({
    name: 'conveyor_worker_active_jobs',
    help: 'Jobs this worker is running now, by queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly circuitState = new Gauge({
    name: 'conveyor_circuit_state',
    help: "This worker's circuit breaker per downstream service (origin): 0 closed, 1 half-open, 2 open",
    labelNames: ['service'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    buildInfo(this.registry, 'worker');
  }
}
