import { Inject, Injectable } from '@nestjs/common';
import {
  ConveyorError,
  ErrorCode,
  JobStatus,
  QueueName,
  QueueOverrides,
  QueuePolicy,
  TransitionPhase,
  isTerminal,
  resolveJobOptions,
  transitionSeq,
  worstStatus,
} from '@conveyor/contracts';
import { JobsRepository, QueueConfigsRepository, QueueStatsSnapshotsRepository } from '@conveyor/database';
import {
  HourlyBucket,
  JOB_TYPE_REGISTRY,
  QueueAdmin,
  QueueMetrics,
  QueueSettings,
  RunSettlement,
  StuckJobOutcome,
  WorkerHeartbeat,
  WorkerHeartbeats,
  registeredQueueNames,
} from '@conveyor/queueing';
import { DetailedHealthService } from '../health/detailed-health.service';
import type { JobTypeRegistry } from '@conveyor/contracts';
import { CleanQueueRequest, ClearStuckRequest, QueueConfigRequest, QueueJobsQuery } from './queue-admin.dto';
import {
  QueueActionResponse,
  QueueConfigResponse,
  QueueJobsResponse,
  QueueOverallMetricsResponse,
  QueueOverallStatusResponse,
  QueueSummaryResponse,
  QueueSnapshotResponse,
} from './queue-admin.response';

/** Snapshots one history read returns at most (a week of 5-minute snapshots). */
const HISTORY_LIMIT = 2_000;

/** The window of a queue's processing rate. */
const RATE_WINDOW_MINUTES = 5;
/** Records updated at once when an action removes many jobs. */
const RECORD_BATCH = 25;

/**
 * The operations API over queues: live state from Bull, actions on Bull through QueueAdmin, and
 * the job records brought in line with what an action did (a removed waiting job is cancelled).
 */
@Injectable()
export class QueuesService {
  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly admin: QueueAdmin,
    private readonly settings: QueueSettings,
    private readonly records: JobsRepository,
    private readonly configs: QueueConfigsRepository,
    private readonly metrics: QueueMetrics,
    private readonly heartbeats: WorkerHeartbeats,
    private readonly health: DetailedHealthService,
    private readonly snapshots: QueueStatsSnapshotsRepository,
    private readonly settlement: RunSettlement,
  ) {}

  /** Every queue this service runs: job types' queues and its own (webhooks). */
  names(): QueueName[] {
    return registeredQueueNames(this.registry);
  }

  /** The queue of that name, or 404 QUEUE_NOT_FOUND. */
  queue(name: string): QueueName {
    const found = this.names().find((n) => n === name);
    if (!found) throw new ConveyorError(ErrorCode.QueueNotFound, `No queue named "${name}"; queues: ${this.names().join(', ')}`);
    return found;
  }

  async list(): Promise<QueueSummaryResponse[]> {
    const workers = await this.heartbeats.list().catch(() => null);
    return Promise.all(this.names().map((name) => this.summary(name, workers)));
  }

  /** Live counts from Bull, health as `/health/detailed` judges it, and recent processing. */
  async summary(name: QueueName, workers?: WorkerHeartbeat[] | null): Promise<QueueSummaryResponse> {
    const beats = workers !== undefined ? workers : await this.heartbeats.list().catch(() => null);
    const now = Date.now();
    const [{ isPaused, ...counts }, isDraining, health, recent, [thisHour], lastProcessedAt] = await Promise.all([
      this.admin.counts(name),
      this.settings.isDraining(name),
      // Also the queue's average processing time: read once, for both.
      this.health.queueHealth(name, beats, now),
      this.metrics.recentCounts(name, RATE_WINDOW_MINUTES, now),
      this.metrics.hourlyBuckets(name, 1, now),
      this.metrics.lastProcessedAt(name),
    ]);
    const reasons = [...health.reasons, ...(isPaused ? ['paused'] : []), ...(isDraining ? ['draining'] : [])];
    return {
      name,
      counts: {
        waiting: counts.waiting,
        active: counts.active,
        delayed: counts.delayed,
        completed: counts.completed,
        failed: counts.failed,
        paused: counts.paused,
      },
      isPaused,
      isDraining,
      isActive: !isPaused && !isDraining,
      healthStatus: worstStatus([health.status, ...(isPaused || isDraining ? (['warning'] as const) : [])]),
      healthReasons: reasons,
      processingRatePerMinute: Math.round((recent.completed / RATE_WINDOW_MINUTES) * 10) / 10,
      averageProcessingMs: recent.completed + (thisHour?.completed ?? 0) > 0 ? (health.averageProcessingMs ?? null) : null,
      p95ProcessingMs: thisHour?.p95ProcessingMs ?? null,
      lastProcessedAt: lastProcessedAt?.toISOString() ?? null,
      workers: health.workers,
      capacity: health.capacity,
    };
  }

  /** Per-hour buckets, oldest first: completed, failed, retried, cancelled, average and p95 time, success rate. */
  async hourly(name: QueueName, hours: number): Promise<HourlyBucket[]> {
    return this.metrics.hourlyBuckets(name, hours);
  }

  /** The `update-queue-stats` snapshots of the last `hours`, oldest first (at most HISTORY_LIMIT). */
  async history(name: QueueName, hours: number): Promise<QueueSnapshotResponse[]> {
    const since = new Date(Date.now() - hours * 3_600_000);
    return (await this.snapshots.history(name, since, HISTORY_LIMIT)).map((s) => ({
      at: s.at.toISOString(),
      counts: s.counts,
      lastHour: s.lastHour,
      failureRate: s.failureRate,
      averageProcessingMs: s.averageProcessingMs,
      workers: s.workers,
      capacity: s.capacity,
    }));
  }

  /** One view over every job queue: backlog, active jobs, workers, utilisation. */
  async overallStatus(): Promise<QueueOverallStatusResponse> {
    const workers = await this.heartbeats.list().catch(() => [] as WorkerHeartbeat[]);
    const queues = this.registry.queues();
    const [counts, policies] = await Promise.all([
      Promise.all(queues.map((name) => this.admin.counts(name))),
      Promise.all(queues.map((name) => this.settings.policy(name))),
    ]);
    const queueLength = counts.reduce((sum, c) => sum + c.waiting + c.paused + c.delayed, 0);
    const activeJobs = counts.reduce((sum, c) => sum + c.active, 0);
    const capacity = workers.reduce((sum, w) => sum + queues.reduce((q, name) => q + (w.concurrency[name] ?? 0), 0), 0);
    const backlogLimit = policies.reduce((sum, p) => sum + p.backlogLimit, 0);
    return {
      queueLength,
      activeJobs,
      activeWorkers: workers.filter((w) => queues.some((name) => w.queues.includes(name))).length,
      maxConcurrentJobs: capacity,
      utilisationPercent: capacity > 0 ? round1((activeJobs / capacity) * 100) : 0,
      queueUtilisationPercent: round1((queueLength / backlogLimit) * 100),
      uptimeSeconds: Math.round(process.uptime()),
    };
  }

  /** Totals over the last `hours` across every job queue. */
  async overallMetrics(hours: number): Promise<QueueOverallMetricsResponse> {
    const buckets = (await Promise.all(this.registry.queues().map((name) => this.metrics.hourlyBuckets(name, hours)))).flat();
    const sum = (pick: (b: HourlyBucket) => number) => buckets.reduce((total, b) => total + pick(b), 0);
    const processed = sum((b) => b.completed) + sum((b) => b.failed);
    const timed = buckets.filter((b) => b.avgProcessingMs !== null);
    const weight = timed.reduce((total, b) => total + b.completed + b.failed, 0);
    return {
      hours,
      processed,
      completed: sum((b) => b.completed),
      failed: sum((b) => b.failed),
      retried: sum((b) => b.retried),
      cancelled: sum((b) => b.cancelled),
      averageProcessingMs:
        weight > 0 ? Math.round(timed.reduce((total, b) => total + b.avgProcessingMs! * (b.completed + b.failed), 0) / weight) : null,
      successRate: processed > 0 ? round1((sum((b) => b.completed) / processed) * 100) / 100 : null,
      uptimeSeconds: Math.round(process.uptime()),
    };
  }

  async jobs(name: QueueName, query: QueueJobsQuery): Promise<QueueJobsResponse> {
    const { items, total } = await this.admin.jobs(name, query.status, query.page, query.limit);
    return { items, page: query.page, limit: query.limit, total };
  }

  async pause(name: QueueName): Promise<QueueActionResponse> {
    await this.admin.pause(name);
    return { queue: name, action: 'paused' };
  }

  /** Undoes pause and drain. */
  async resume(name: QueueName): Promise<QueueActionResponse> {
    await Promise.all([this.admin.resume(name), this.settings.setDraining(name, false)]);
    return { queue: name, action: 'resumed' };
  }

  async drain(name: QueueName): Promise<QueueActionResponse> {
    await this.settings.setDraining(name, true);
    return { queue: name, action: 'draining' };
  }

  async clean(name: QueueName, request: CleanQueueRequest): Promise<QueueActionResponse> {
    const removed = await this.admin.clean(name, request.status, request.olderThan, request.limit);
    if (request.status === 'waiting' || request.status === 'delayed') await this.cancelRecords(removed);
    return { queue: name, action: `cleaned ${request.status}`, affected: removed.length };
  }

  /** Removes every waiting and delayed job; their records become cancelled. */
  async clear(name: QueueName): Promise<QueueActionResponse> {
    const limit = Number.MAX_SAFE_INTEGER;
    const removed = [...(await this.admin.clean(name, 'waiting', 0, limit)), ...(await this.admin.clean(name, 'delayed', 0, limit))];
    await this.cancelRecords(removed);
    return { queue: name, action: 'cleared', affected: removed.length };
  }

  async clearStuck(name: QueueName, request: ClearStuckRequest): Promise<QueueActionResponse> {
    const released = await this.admin.releaseStuck(name, request.olderThan, request.action === 'fail');
    for (let i = 0; i < released.length; i += RECORD_BATCH) {
      await Promise.all(released.slice(i, i + RECORD_BATCH).map((outcome) => this.recordReleased(outcome)));
    }
    return { queue: name, action: `cleared stuck (${request.action})`, affected: released.length };
  }

  async config(name: QueueName): Promise<QueueConfigResponse> {
    const [effective, saved] = await Promise.all([this.settings.load(name), this.configs.overrides(name)]);
    return { queue: name, effective, saved };
  }

  async saveConfig(name: QueueName, request: QueueConfigRequest, updatedBy: string): Promise<QueueConfigResponse> {
    const overrides = toOverrides(this.registry.policy(name), request);
    await this.settings.save(name, overrides, updatedBy);
    return this.config(name);
  }

  /** Records of jobs an operator removed from the queue: cancelled, unless they finished meanwhile. */
  private async cancelRecords(jobIds: string[]): Promise<void> {
    for (let i = 0; i < jobIds.length; i += RECORD_BATCH) {
      await Promise.all(
        jobIds.slice(i, i + RECORD_BATCH).map(async (jobId) => {
          const record = await this.records.findByIdUnscoped(jobId);
          if (!record || isTerminal(record.status)) return;
          await this.settlement.settle({
            record,
            status: JobStatus.Cancelled,
            set: { finishedAt: new Date() },
            message: 'Removed from the queue by an operator before a worker took it; start it again to re-run',
          });
        }),
      );
    }
  }

  private async recordReleased({ jobId, state, attemptsMade, run }: StuckJobOutcome): Promise<void> {
    const error = { message: 'Stuck: active with no worker holding it (cleared by an operator)', code: 'STUCK' };
    if (state === 'failed') {
      const record = await this.records.findByIdUnscoped(jobId);
      if (!record || (record.run ?? 1) !== run) return;
      await this.settlement.settle({
        record,
        status: JobStatus.Failed,
        set: { error, attemptsMade, finishedAt: new Date() },
        message: error.message,
      });
    } else {
      const status = state === 'delayed' ? JobStatus.Delayed : JobStatus.Waiting;
      await this.records.transition({
        jobId,
        seq: transitionSeq(attemptsMade + 1, TransitionPhase.Queued, run),
        status,
        set: { error, attemptsMade },
      });
    }
  }
}

/** The request in the stored form, checked against the queue's caps like a submission's options. */
function toOverrides(policy: QueuePolicy, request: QueueConfigRequest): QueueOverrides {
  const options = { attempts: request.attempts, timeout: request.timeout, backoff: request.backoff };
  const resolved = resolveJobOptions(policy, options, '');
  return {
    ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}),
    ...(request.attempts !== undefined ? { attempts: resolved.attempts } : {}),
    ...(request.backoff !== undefined ? { backoff: resolved.backoff } : {}),
    ...(request.timeout !== undefined ? { timeoutMs: resolved.timeoutMs } : {}),
    ...(request.backlogLimit !== undefined ? { backlogLimit: request.backlogLimit } : {}),
    ...(request.rateLimit ? { rateLimit: { max: request.rateLimit.max, durationMs: request.rateLimit.duration } } : {}),
    ...(request.retention?.completed !== undefined ? { keepCompleted: request.retention.completed } : {}),
    ...(request.retention?.failed !== undefined ? { keepFailed: request.retention.failed } : {}),
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
