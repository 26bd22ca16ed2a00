import { Inject, Injectable } from '@nestjs/common';
import { memoryReport } from './memory-report';
import { MongooseHealthIndicator } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  HealthThresholds,
  JobTypeRegistry,
  QueueName,
  evaluateQueueHealth,
  failureRate,
  isStuck,
  worstStatus,
  messageOf,
} from '@conveyor/contracts';
import {
  CircuitStates,
  JOB_TYPE_REGISTRY,
  QueueMetrics,
  QueueRegistry,
  QueueStats,
  RedisConnections,
  ServiceHealthStore,
  withTimeout,
  WorkerHeartbeat,
  WorkerHeartbeats,
} from '@conveyor/queueing';
import { DetailedHealthResponse, MongoHealthReport, QueueHealthReport, RedisHealthReport } from './detailed-health.response';
import { evictionPolicyVerdict, parseRedisInfo } from './redis-info';

/** Each dependency gets this long to answer, so the report never hangs on one. */
const CHECK_TIMEOUT_MS = 1_500;
/** Active jobs examined per queue for the stuck check (the longest-running ones). */
const STUCK_SCAN_LIMIT = 100;

/**
 * The operator's view behind `/health/detailed`: Redis (reachability, eviction policy, memory),
 * MongoDB, every queue judged against the configured thresholds (HEALTH_* variables), and the workers' heartbeats. Everything
 * is read from Redis in a few round trips per queue (never one per job).
 */
@Injectable()
export class DetailedHealthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly queues: QueueRegistry,
    private readonly metrics: QueueMetrics,
    private readonly stats: QueueStats,
    private readonly heartbeats: WorkerHeartbeats,
    private readonly mongoIndicator: MongooseHealthIndicator,
    private readonly connections: RedisConnections,
    private readonly serviceHealth: ServiceHealthStore,
    private readonly circuitStates: CircuitStates,
  ) {}

  async report(now = Date.now()): Promise<DetailedHealthResponse> {
    const [redis, mongo, workers, services] = await Promise.all([
      this.redis(),
      this.mongo(),
      withTimeout(this.heartbeats.list(), CHECK_TIMEOUT_MS).catch(() => null),
      withTimeout(this.serviceHealth.read(), CHECK_TIMEOUT_MS).catch(() => null),
    ]);
    const names = this.queues
      .all()
      .map((q) => q.name)
      .sort();
    const [queues, circuits] = await Promise.all([
      Promise.all(names.map((name) => this.queueHealth(name, workers, now))),
      workers === null ? null : withTimeout(this.circuitStates.read(new Set(workers.map((w) => w.id))), CHECK_TIMEOUT_MS).catch(() => null),
    ]);
    const reasons = workers === null ? ['worker heartbeats could not be read'] : workers.length === 0 ? ['no live worker heartbeats'] : [];
    const memory = memoryReport();
    if (memory.alert) reasons.push(`memory: ${memory.usage} of the heap limit (${memory.heapLimit} MB) in use, above 85 %`);
    // A downstream service that is down degrades the analyses that need it, not Conveyor itself.
    for (const service of services ?? []) {
      if (service.status === 'down')
        reasons.push(`service ${service.name} is down (${service.error ?? 'no answer'}) at ${service.checkedAt}`);
    }
    for (const circuit of circuits ?? []) {
      if (circuit.state !== 'closed') {
        const open = circuit.workers.open ?? 0;
        reasons.push(`circuit of ${circuit.service} ${circuit.state} (open on ${open} worker(s)) since ${circuit.changedAt}`);
      }
    }
    return {
      status: worstStatus([
        redis.health,
        mongo.health,
        ...queues.map((q) => q.status),
        ...(reasons.length > 0 ? ['warning' as const] : []),
      ]),
      checkedAt: new Date(now).toISOString(),
      reasons,
      redis,
      mongo,
      queues,
      memory,
      workers,
      services,
      circuits,
      thresholds: { ...this.config.health },
    };
  }

  private async redis(): Promise<RedisHealthReport> {
    const client = this.connections.commandClient();
    const down = (reason: string): RedisHealthReport => ({
      status: 'down',
      health: 'error',
      maxmemoryPolicy: null,
      version: null,
      usedMemoryBytes: null,
      maxmemoryBytes: null,
      reasons: [`Redis unreachable: ${reason}`],
    });
    // While ioredis reconnects a command would wait in its offline queue: answer at once instead.
    if (client.status !== 'ready') return down(`connection ${client.status}`);
    try {
      const info = parseRedisInfo(await withTimeout(client.info(), CHECK_TIMEOUT_MS));
      const verdict = evictionPolicyVerdict(info.maxmemory_policy);
      return {
        status: 'up',
        health: verdict.health,
        maxmemoryPolicy: info.maxmemory_policy ?? null,
        version: info.redis_version ?? null,
        usedMemoryBytes: numberOrNull(info.used_memory),
        maxmemoryBytes: numberOrNull(info.maxmemory),
        reasons: verdict.reasons,
      };
    } catch (error) {
      return down(messageOf(error));
    }
  }

  private async mongo(): Promise<MongoHealthReport> {
    try {
      const result = await this.mongoIndicator.pingCheck('mongo', { timeout: CHECK_TIMEOUT_MS });
      if (result.mongo?.status === 'up') return { status: 'up', health: 'healthy', reasons: [] };
      return { status: 'down', health: 'error', reasons: [`MongoDB unreachable: ${String(result.mongo?.message ?? 'no answer')}`] };
    } catch (error) {
      return { status: 'down', health: 'error', reasons: [`MongoDB unreachable: ${messageOf(error)}`] };
    }
  }

  /** The HEALTH_* settings, with what the queue's policy sets for itself on top. */
  thresholdsOf(name: string): HealthThresholds {
    return { ...this.config.health, ...this.registry.policy(name as QueueName).healthThresholds };
  }

  /** One queue judged against the configured thresholds (also the queues API's health fields). */
  async queueHealth(name: string, workers: WorkerHeartbeat[] | null, now = Date.now()): Promise<QueueHealthReport> {
    const consumers = (workers ?? []).filter((w) => w.queues.includes(name));
    const capacity = consumers.reduce((sum, w) => sum + (w.concurrency[name] ?? 0), 0);
    const thresholds = this.thresholdsOf(name);
    try {
      const [counts, lastHour, measuredMs, active] = await withTimeout(
        Promise.all([
          this.metrics.counts(name),
          this.metrics.recentCounts(name, thresholds.failureRateWindowMinutes, now),
          this.stats.measuredAverageDurationMs(name as QueueName),
          this.metrics.oldestActive(name, STUCK_SCAN_LIMIT),
        ]),
        CHECK_TIMEOUT_MS,
      );
      // Before any job ran, the queue's expected duration stands in for the stuck check.
      const averageMs = measuredMs ?? this.registry.policy(name as QueueName).expectedDurationMs;
      const stuckJobs = active
        .filter((job) => job.startedAt !== null && isStuck(now - job.startedAt, averageMs, thresholds))
        .map((job) => ({ jobId: job.jobId, type: job.type, activeForMs: now - (job.startedAt ?? now) }));
      const verdict = evaluateQueueHealth(
        {
          waiting: counts.waiting,
          active: counts.active,
          completed: lastHour.completed,
          failed: lastHour.failed,
          stuck: stuckJobs.length,
          // Unknown workers (heartbeats unreadable) are not reported as missing ones.
          workers: workers === null ? Infinity : consumers.length,
          capacity,
          averageProcessingMs: measuredMs,
        },
        thresholds,
      );
      return {
        name,
        status: verdict.status,
        reasons: verdict.reasons,
        counts: { waiting: counts.waiting, active: counts.active, delayed: counts.delayed, failed: counts.failed },
        lastHour: { ...lastHour, failureRate: failureRate(lastHour.completed, lastHour.failed) },
        averageProcessingMs: Math.round(averageMs),
        stuckJobs,
        workers: consumers.length,
        capacity,
        utilisation: capacity > 0 ? counts.active / capacity : null,
        thresholds,
      };
    } catch (error) {
      return {
        name,
        status: 'error',
        reasons: [`queue state could not be read: ${messageOf(error)}`],
        counts: null,
        lastHour: null,
        averageProcessingMs: null,
        stuckJobs: [],
        workers: consumers.length,
        capacity,
        utilisation: null,
        thresholds,
      };
    }
  }
}

function numberOrNull(value: string | undefined): number | null {
  return value === undefined || Number.isNaN(Number(value)) ? null : Number(value);
}
