import { Injectable } from '@nestjs/common';
import { JobOutcome, QueueName } from '@conveyor/contracts';
import { Job } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { attemptOutcome } from '@conveyor/job-runtime';
import { OutcomeBuffer } from './outcome-buffer';
import { WorkerMetrics } from './worker-metrics';

type Processor<T> = (job: Job<T>) => Promise<unknown>;

/** What a webhook delivery's outcome is called in `conveyor_webhook_deliveries_total`. */
const DELIVERY_OUTCOME: Record<JobOutcome, string> = {
  completed: 'delivered',
  retried: 'retried',
  failed: 'failed',
  cancelled: 'cancelled',
};
const WEBHOOK_JOB_PREFIX = 'webhook.';

/**
 * What this worker process is doing, seen from around each queue's processor: every attempt runs
 * in a logging context that puts its job id, queue, type and attempt on each log line; its outcome
 * and duration go to this process's Prometheus series and, in batches, to the shared per-queue
 * counters in Redis (OutcomeBuffer); and the consumers' concurrency and running jobs feed the heartbeat.
 */
@Injectable()
export class WorkerActivity {
  private readonly concurrency = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private readonly lockTokens = new Set<string>();
  private consumersChanged?: () => void;

  constructor(
    private readonly metrics: WorkerMetrics,
    private readonly outcomes: OutcomeBuffer,
    private readonly logs: PinoLogger,
  ) {}

  /** Wraps the processor a queue's consumer hands to Bull (the latest consumer of a queue sets its concurrency). */
  consumer<T>(queue: QueueName, concurrency: number, processor: Processor<T>): Processor<T> {
    const changed = this.concurrency.get(queue) !== concurrency;
    this.concurrency.set(queue, concurrency);
    if (changed) this.consumersChanged?.();
    // Every line logged while the job runs carries the job (nestjs-pino's per-context logger).
    return (job) =>
      storage.run(
        new Store(
          this.logs.logger.child({ queue, jobId: String(job.id), jobType: job.name, attempt: job.attemptsMade + 1, ...requestOf(job) }),
        ),
        () => this.observe(queue, job, processor),
      );
  }

  /** A consumer's Bull lock token, held from its start until it has closed (the heartbeat names them). */
  holdingLocks(token: string, holding: boolean): void {
    if (holding) this.lockTokens.add(token);
    else this.lockTokens.delete(token);
    this.consumersChanged?.();
  }

  /** Called whenever a queue's consumer starts with a new concurrency (the heartbeat tells at once). */
  onConsumersChanged(listener: () => void): void {
    this.consumersChanged = listener;
  }

  /** Queues consumed, with their concurrency and the jobs running on each now. */
  snapshot(): { concurrency: Record<string, number>; activeJobs: Record<string, number>; lockTokens: string[] } {
    const queues = [...this.concurrency.keys()].sort();
    return {
      lockTokens: [...this.lockTokens],
      concurrency: Object.fromEntries(queues.map((q) => [q, this.concurrency.get(q) ?? 0])),
      activeJobs: Object.fromEntries(queues.map((q) => [q, this.running.get(q) ?? 0])),
    };
  }

  private async observe<T>(queue: QueueName, job: Job<T>, processor: Processor<T>): Promise<unknown> {
    this.adjustRunning(queue, 1);
    const startedAt = performance.now();
    if (job.attemptsMade === 0) {
      // The first attempt only: a retry's wait is its backoff.
      const waitedMs = Math.max(0, Date.now() - job.timestamp - (job.opts.delay ?? 0));
      this.outcomes.addWait(queue, waitedMs);
      this.metrics.waitSeconds.observe({ queue, type: job.name }, waitedMs / 1000);
    }
    try {
      const result = await processor(job);
      this.record(queue, job, 'completed', performance.now() - startedAt);
      return result;
    } catch (error) {
      this.record(queue, job, attemptOutcome(job, error), performance.now() - startedAt);
      throw error;
    } finally {
      this.adjustRunning(queue, -1);
    }
  }

  private record(queue: QueueName, job: Job, outcome: JobOutcome, durationMs: number): void {
    const labels = { queue, type: job.name, outcome };
    this.metrics.jobs.inc(labels);
    this.metrics.processingSeconds.observe(labels, durationMs / 1000);
    if (queue === QueueName.Webhooks) {
      const event = job.name.startsWith(WEBHOOK_JOB_PREFIX) ? job.name.slice(WEBHOOK_JOB_PREFIX.length) : job.name;
      this.metrics.webhookDeliveries.inc({ event, outcome: DELIVERY_OUTCOME[outcome] });
    }
    // Counted now, sent in a moment: a metrics write must neither delay nor fail the job it counts.
    this.outcomes.add(queue, outcome, durationMs);
  }

  private adjustRunning(queue: QueueName, delta: number): void {
    const running = (this.running.get(queue) ?? 0) + delta;
    this.running.set(queue, running);
    this.metrics.activeJobs.set({ queue }, running);
  }
}

/** The submitting request's id, when the job carries one (jobs the API submitted). */
function requestOf(job: Job): { requestId?: string } {
  const requestId = (job.data as { requestId?: unknown } | undefined)?.requestId;
  return typeof requestId === 'string' ? { requestId } : {};
}
