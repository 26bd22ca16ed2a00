import { Inject, Injectable } from '@nestjs/common';
import { BackoffSpec, ConveyorError, ErrorCode, QueueName } from '@conveyor/contracts';
import { QueueConfigsRepository, QueueStatsSnapshotsRepository } from '@conveyor/database';
import {
  HourlyBucket,
  JOB_TYPE_REGISTRY,
  QueueAdmin,
  QueueMetrics,
  QueueSettings,
  WorkerHeartbeat,
  WorkerHeartbeats,
  registeredQueueNames,
} from '@conveyor/queueing';
import { DetailedHealthService } from '../health/detailed-health.service';
import { queueHealthStatus } from '../health/queue-health-summary';
import type { JobTypeRegistry } from '@conveyor/contracts';
import { QueueJobsQuery } from './queue-admin.dto';
import { bucketTotals } from './bucket-totals';
import {
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
/** The operations API's reads over queues: live state from Bull, counters, history, settings. */
@Injectable()
export class QueueReads {
  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly admin: QueueAdmin,
    private readonly settings: QueueSettings,
    private readonly configs: QueueConfigsRepository,
    private readonly metrics: QueueMetrics,
    private readonly heartbeats: WorkerHeartbeats,
    private readonly health: DetailedHealthService,
    private readonly snapshots: QueueStatsSnapshotsRepository,
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
    const [{ isPaused, ...counts }, isDraining, health, recent, [thisHour], lastProcessedAt, policy] = await Promise.all([
      this.admin.counts(name),
      this.settings.isDraining(name),
      // Also the queue's average processing time: read once, for both.
      this.health.queueHealth(name, beats, now),
      this.metrics.recentCounts(name, RATE_WINDOW_MINUTES, now),
      this.metrics.hourlyBuckets(name, 1, now),
      this.metrics.lastProcessedAt(name),
      this.settings.policy(name),
    ]);
    const reasons = [...health.reasons, ...(isPaused ? ['paused'] : []), ...(isDraining ? ['draining'] : [])];
    const processingRatePerMinute = Math.round((recent.completed / RATE_WINDOW_MINUTES) * 10) / 10;
    const averageProcessingMs = recent.completed + (thisHour?.completed ?? 0) > 0 ? (health.averageProcessingMs ?? null) : null;
    const waiting = counts.waiting + counts.paused;
    return {
      name,
      description: policy.description ?? null,
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
      healthStatus: queueHealthStatus(health.status, isPaused, isDraining),
      healthReasons: reasons,
      processingRatePerMinute,
      averageProcessingMs,
      p95ProcessingMs: thisHour?.p95ProcessingMs ?? null,
      lastProcessedAt: lastProcessedAt?.toISOString() ?? null,
      workers: health.workers,
      capacity: health.capacity,
      // Seed 004's queue model: the same facts in its names.
      liveStats: {
        waiting,
        active: counts.active,
        delayed: counts.delayed,
        completed: counts.completed,
        failed: counts.failed,
        total: waiting + counts.active + counts.delayed + counts.completed + counts.failed,
      },
      processingRate: processingRatePerMinute,
      averageProcessingTime: averageProcessingMs,
      configuration: {
        concurrency: policy.concurrency,
        retryAttempts: policy.attempts,
        retryDelay: firstRetryDelayMs(policy.backoff),
        removeOnComplete: policy.keepCompleted,
        removeOnFail: policy.keepFailed,
      },
      lastHealthCheck: new Date(now).toISOString(),
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
    return { hours, ...bucketTotals(buckets), uptimeSeconds: Math.round(process.uptime()) };
  }

  async jobs(name: QueueName, query: QueueJobsQuery): Promise<QueueJobsResponse> {
    const { items, total } = await this.admin.jobs(name, query.status, query.page, query.limit);
    return { items, page: query.page, limit: query.limit, total };
  }

  async config(name: QueueName): Promise<QueueConfigResponse> {
    const [effective, saved] = await Promise.all([this.settings.load(name), this.configs.overrides(name)]);
    return { queue: name, effective, saved };
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The wait before a job's first retry, as seed 004's `retryDelay` reads it. */
function firstRetryDelayMs(backoff: BackoffSpec): number {
  return backoff.type === 'list' ? (backoff.delaysMs[0] ?? 0) : backoff.delayMs;
}
