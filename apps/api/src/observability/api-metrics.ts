import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { errorField } from '@conveyor/contracts';
import { QueueMetrics, QueueRegistry, RedisConnections, withTimeout, WorkerHeartbeats, buildInfo, conveyorKeys } from '@conveyor/queueing';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { getHeapStatistics } from 'node:v8';

const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** A scrape must answer even while Redis does not: counts give up after this long. */
const COLLECT_TIMEOUT_MS = 2_000;
/** Fields of the scheduler's stats hash counted per schedule, and the outcome each is reported as. */
const SCHEDULER_OUTCOMES = { fired: 'submitted', refused: 'refused' } as const;

/**
 * Every Prometheus series the API exposes at /metrics, in a registry per application instance (not
 * prom-client's global one, which in-process test instances would share): HTTP requests, queue depth
 * read from Bull at scrape time (one round trip per queue), live workers, the scheduler's runs (its
 * counters in Redis, read at scrape time), and Node's process metrics.
 * Job outcomes and processing times are counted by the workers, on their own metrics port.
 */
@Injectable()
export class ApiMetrics {
  private readonly logger = new Logger(ApiMetrics.name);
  readonly registry = new Registry();
  private lastWarningAt = 0;

  private readonly requests = new Counter({
    name: 'conveyor_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly durations = new Histogram({
    name: 'conveyor_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueRegistry,
    private readonly queueMetrics: QueueMetrics,
    private readonly heartbeats: WorkerHeartbeats,
    private readonly connections: RedisConnections,
  ) {
    collectDefaultMetrics({ register: this.registry });
    buildInfo(this.registry, 'api');
    const oldestWaiting: Gauge<'queue'> = new Gauge({
      name: 'conveyor_queue_oldest_waiting_seconds',
      help: 'Age of the job next in line on each Bull queue (0 when none waits), read at scrape time: a queue nobody takes from grows it',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      collect: () => this.collectOldestWaiting(oldestWaiting),
    });
    const depth: Gauge<'queue' | 'state'> = new Gauge({
      name: 'conveyor_queue_jobs',
      help: 'Jobs in each Bull queue by state (waiting includes the jobs of a paused queue), read at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      collect: () => this.collectDepth(depth),
    });
    // Heap and RSS come with the default metrics; this is the share seed 004 alerts on (above 0.85).
    new Gauge({
      name: 'conveyor_memory_heap_usage_ratio',
      help: "heapUsed ÷ V8's heap limit of this API process (alert above 0.85; /health's memory check)",
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().heapUsed / getHeapStatistics().heap_size_limit);
      },
    });
    const workers: Gauge = new Gauge({
      name: 'conveyor_workers_alive',
      help: 'Worker processes with a live heartbeat in Redis',
      registers: [this.registry],
      collect: () => this.collectWorkers(workers),
    });
    // Counters kept by the workers' ScheduleTicker in one Redis hash (fleet-wide, HINCRBY); they
    // start again from 0 only if Redis loses the hash, which Prometheus reads as a counter reset.
    const runs: Counter<'schedule' | 'outcome'> = new Counter({
      name: 'conveyor_scheduler_runs_total',
      help: 'Cron runs of repeating schedules, by schedule and outcome (submitted, refused), fleet-wide',
      labelNames: ['schedule', 'outcome'] as const,
      registers: [this.registry],
      collect: () => this.collectSchedulerRuns(runs),
    });
    const ticks: Counter = new Counter({
      name: 'conveyor_scheduler_ticks_total',
      help: 'Scheduler ticks (a worker holding the lease looked for due schedules), fleet-wide',
      registers: [this.registry],
      collect: () => this.collectSchedulerTicks(ticks),
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }

  private async collectDepth(gauge: Gauge<'queue' | 'state'>): Promise<void> {
    gauge.reset();
    await Promise.all(
      this.queues.all().map(async (queue) => {
        try {
          const counts = await withTimeout(this.queueMetrics.counts(queue.name), COLLECT_TIMEOUT_MS);
          for (const state of DEPTH_STATES) gauge.set({ queue: queue.name, state }, counts[state]);
        } catch (error) {
          // The queue's series are left out of this scrape; Prometheus reports them as absent.
          this.warnAtMostEvery10s(`Depth of queue ${queue.name} not collected`, error);
        }
      }),
    );
  }

  private async collectOldestWaiting(gauge: Gauge<'queue'>): Promise<void> {
    gauge.reset();
    const now = Date.now();
    await Promise.all(
      this.queues.all().map(async (queue) => {
        try {
          const next = await withTimeout(this.queueMetrics.nextWaiting(queue.name), COLLECT_TIMEOUT_MS);
          gauge.set({ queue: queue.name }, next ? Math.max(0, (now - next.timestamp) / 1000) : 0);
        } catch (error) {
          this.warnAtMostEvery10s(`Oldest waiting job of queue ${queue.name} not collected`, error);
        }
      }),
    );
  }

  private async collectWorkers(gauge: Gauge): Promise<void> {
    gauge.reset();
    try {
      gauge.set((await withTimeout(this.heartbeats.list(), COLLECT_TIMEOUT_MS)).length);
    } catch (error) {
      this.warnAtMostEvery10s('Worker heartbeats not read', error);
    }
  }

  private async collectSchedulerRuns(runs: Counter<'schedule' | 'outcome'>): Promise<void> {
    runs.reset();
    for (const [field, value] of Object.entries(await this.schedulerStats())) {
      const [kind, schedule] = field.split(/:(.*)/s);
      if (schedule && kind in SCHEDULER_OUTCOMES) {
        runs.inc({ schedule, outcome: SCHEDULER_OUTCOMES[kind as keyof typeof SCHEDULER_OUTCOMES] }, Number(value));
      }
    }
  }

  private async collectSchedulerTicks(ticks: Counter): Promise<void> {
    ticks.reset();
    const { ticks: count } = await this.schedulerStats();
    if (count) ticks.inc(Number(count));
  }

  /**
   * The scheduler's stats hash; empty (its series left out of this scrape) while Redis does not
   * answer. Both scheduler series are collected at once on a scrape: they share one read.
   */
  private schedulerStats(): Promise<Record<string, string>> {
    this.schedulerStatsRead ??= this.readSchedulerStats().finally(() => (this.schedulerStatsRead = undefined));
    return this.schedulerStatsRead;
  }

  private schedulerStatsRead?: Promise<Record<string, string>>;

  private async readSchedulerStats(): Promise<Record<string, string>> {
    try {
      const key = conveyorKeys(this.config.redis.prefix).scheduler.stats;
      return await withTimeout(this.connections.commandClient().hgetall(key), COLLECT_TIMEOUT_MS);
    } catch (error) {
      this.warnAtMostEvery10s('Scheduler counters not read', error);
      return {};
    }
  }

  private warnAtMostEvery10s(what: string, error: unknown): void {
    if (Date.now() - this.lastWarningAt < 10_000) return;
    this.lastWarningAt = Date.now();
    this.logger.warn(errorField(error), what);
  }
}
