import { Inject, Injectable } from '@nestjs/common';
import { ConveyorError, ErrorCode, JobTypeRegistry, QueueName, QueueOverrides, validationFailed } from '@conveyor/contracts';
import { QueueConfigsRepository } from '@conveyor/database';
import {
  ConsumerRestarts,
  JOB_TYPE_REGISTRY,
  QueueAdmin,
  QueueMetrics,
  QueueSettings,
  QueueStats,
  WORKER_HEARTBEAT_INTERVAL_MS,
  WorkerHeartbeats,
} from '@conveyor/queueing';
import { bucketTotals } from './bucket-totals';
import { QueueManagerConfigRequest } from './queue-manager.dto';
import { QueueManagerConfigResponse, QueueManagerFields, QueueRestartResponse } from './queue-manager.response';
import { QueueReads } from './queue-reads.service';

/**
 * The single-queue manager behind `/api/v1/queue/*` (the routes a queue-manager client knows):
 * one queue's state, performance and settings in snake_case, and the restart of its consumers.
 * Pause, drain, clear and the rest are QueueActions', as on `/api/v1/queues/:name/*`.
 */
@Injectable()
export class QueueManager {
  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly reads: QueueReads,
    private readonly admin: QueueAdmin,
    private readonly settings: QueueSettings,
    private readonly configs: QueueConfigsRepository,
    private readonly metrics: QueueMetrics,
    private readonly stats: QueueStats,
    private readonly heartbeats: WorkerHeartbeats,
    private readonly restarts: ConsumerRestarts,
  ) {}

  /** The queue `?queue=` names, else the catalog's default for these routes. */
  queue(name: string | undefined): QueueName {
    if (name !== undefined) return this.reads.queue(name);
    const fallback = this.registry.defaultQueue();
    if (!fallback) throw new ConveyorError(ErrorCode.QueueNotFound, 'No job queue runs here; name one with ?queue=');
    return fallback;
  }

  /** One queue's live state and its performance over the last `hours`. */
  async fields(name: QueueName, hours: number): Promise<QueueManagerFields> {
    const [{ isPaused, ...counts }, isDraining, policy, workers, buckets, waitMs] = await Promise.all([
      this.admin.counts(name),
      this.settings.isDraining(name),
      this.settings.policy(name),
      this.heartbeats.list().catch(() => []),
      this.metrics.hourlyBuckets(name, hours),
      this.stats.averageWaitMs(name),
    ]);
    const consumers = workers.filter((w) => w.queues.includes(name));
    const capacity = consumers.reduce((sum, w) => sum + (w.concurrency[name] ?? 0), 0);
    const queueLength = counts.waiting + counts.paused + counts.delayed;
    const totals = bucketTotals(buckets);
    return {
      queue: name,
      queue_length: queueLength,
      active_jobs: counts.active,
      active_workers: consumers.length,
      max_workers: capacity,
      utilization_percent: capacity > 0 ? round2((counts.active / capacity) * 100) : 0,
      queue_utilization_percent: round2((queueLength / policy.backlogLimit) * 100),
      max_queue_size: policy.backlogLimit,
      is_paused: isPaused,
      is_draining: isDraining,
      average_queue_wait_seconds: waitMs === null ? null : round2(waitMs / 1000),
      hours,
      performance: {
        total_jobs_processed: totals.processed,
        total_jobs_failed: totals.failed,
        total_jobs_retried: totals.retried,
        average_processing_time: totals.averageProcessingMs === null ? null : round2(totals.averageProcessingMs / 1000),
        uptime_seconds: Math.round(process.uptime()),
      },
    };
  }

  async config(name: QueueName): Promise<QueueManagerConfigResponse> {
    const [config, policy] = await Promise.all([this.reads.config(name), this.settings.load(name)]);
    return {
      ...config,
      max_concurrent_jobs: policy.concurrency,
      max_queue_size: policy.backlogLimit,
      job_timeout: Math.round(policy.timeoutMs / 1000),
      max_retries: policy.attempts - 1,
    };
  }

  /** Applies the fields given onto the saved settings (the rest keep their values). */
  async saveConfig(name: QueueName, request: QueueManagerConfigRequest, updatedBy: string): Promise<QueueManagerConfigResponse> {
    const policy = this.settings.defaults(name);
    const fields = [];
    const maxTimeout = Math.floor(policy.maxTimeoutMs / 1000);
    if (request.job_timeout !== undefined && request.job_timeout > maxTimeout) {
      fields.push({ field: 'job_timeout', message: `job_timeout must be at most ${maxTimeout} seconds on queue ${name}` });
    }
    if (request.max_retries !== undefined && request.max_retries > policy.maxAttempts - 1) {
      fields.push({ field: 'max_retries', message: `max_retries must be at most ${policy.maxAttempts - 1} on queue ${name}` });
    }
    const given = Object.values(request).filter((v) => v !== undefined).length;
    if (given === 0) {
      fields.push({ field: 'body', message: 'give at least one of max_concurrent_jobs, max_queue_size, job_timeout, max_retries' });
    }
    if (fields.length > 0) throw validationFailed(fields);
    const changes: QueueOverrides = {
      ...(request.max_concurrent_jobs !== undefined ? { concurrency: request.max_concurrent_jobs } : {}),
      ...(request.max_queue_size !== undefined ? { backlogLimit: request.max_queue_size } : {}),
      ...(request.job_timeout !== undefined ? { timeoutMs: request.job_timeout * 1000 } : {}),
      ...(request.max_retries !== undefined ? { attempts: request.max_retries + 1 } : {}),
    };
    await this.configs.merge(name, changes, updatedBy);
    await this.settings.load(name); // this replica applies it at once
    return this.config(name);
  }

  /**
   * Asks every worker to re-create its consumer of the queue, and puts back to waiting the jobs
   * whose lock a worker that is gone still holds (no live heartbeat names its token). Jobs a
   * worker took within the last heartbeat interval are left alone: its heartbeat may not name a
   * new consumer's token yet.
   */
  async restart(name: QueueName): Promise<QueueRestartResponse> {
    const generation = await this.restarts.request(name);
    const workers = await this.heartbeats.list();
    const live = new Set(workers.flatMap((w) => w.lockTokens ?? []));
    // A live worker too old to publish its tokens: its locks cannot be told from orphans.
    if (workers.some((w) => !w.lockTokens)) {
      const note = 'no lock released: a live worker does not publish its lock tokens (an older version)';
      return { queue: name, action: 'restarted', affected: 0, generation, note };
    }
    const released = await this.restarts.releaseOrphaned(name, live, WORKER_HEARTBEAT_INTERVAL_MS);
    return { queue: name, action: 'restarted', affected: released.length, generation };
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
