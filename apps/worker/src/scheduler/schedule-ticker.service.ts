import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, SCHEDULER_OWNER, dueRun, messageOf, taskRun, errorField } from '@conveyor/contracts';
import { Schedule, ScheduleRunResult, SchedulesRepository, isDuplicateKey } from '@conveyor/database';
import { JobProducer, MaintenanceQueue, RedisConnections, RedisLease, conveyorKeys } from '@conveyor/queueing';
import { PeriodicLoop } from '../runtime/periodic-loop';

/** The ticker's lease outlives any sane tick; it is given back as soon as the tick ends. */
const TICK_LEASE_MS = 30_000;
/** A claim whose submit never reported back (its worker died) frees the run again after this. */
const PENDING_CLAIM_MS = 60_000;
/** A run's claim, with its result, is kept this long: past a lost `lastRunAt` write or a retried tick. */
const CLAIM_TTL_MS = 60 * 60_000;
const PENDING = 'pending';

/**
 * Fires repeating schedules (README "Scheduler"). MongoDB's `schedules` is the source of truth;
 * Redis holds only a lease and per-run claims. Every worker ticks every SCHEDULER_TICK_MS; the one
 * holding the lease loads the schedules (a small collection) and, for each whose next cron run
 * after `lastRunAt` (or its creation) is due, claims the run with SET NX, submits a job through the
 * JobProducer (owner `service:scheduler`) and records the run on the schedule.
 *
 * A run fires once: the lease keeps ticks apart, the claim keeps two submits of one run apart if
 * the lease was lost, `lastRunAt` makes later ticks skip it even when Redis forgot both, and the
 * run's job id, derived from the run, keeps a second job out when Redis forgot both mid-submit.
 */
@Injectable()
export class ScheduleTicker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScheduleTicker.name);
  private readonly loop: PeriodicLoop;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly schedules: SchedulesRepository,
    private readonly producer: JobProducer,
    private readonly connections: RedisConnections,
    private readonly maintenance: MaintenanceQueue,
  ) {
    this.loop = new PeriodicLoop({
      what: 'Scheduler tick',
      periodMs: config.scheduler.tickMs,
      step: () => this.tickOnce(),
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** One tick if no other worker holds the lease: the runs fired, or undefined when skipped. */
  async tickOnce(now = new Date()): Promise<number | undefined> {
    const redis = this.connections.commandClient();
    const keys = conveyorKeys(this.config.redis.prefix).scheduler;
    const lock = await RedisLease.acquire(redis, keys.lock, TICK_LEASE_MS);
    if (!lock) return undefined;
    let fired = 0;
    try {
      for (const schedule of await this.schedules.all()) {
        if (this.loop.isStopped) break;
        const runAt = dueRun(schedule, schedule.lastRunAt ?? schedule.createdAt, now);
        if (runAt && (await this.fire(schedule, runAt))) fired++;
      }
      await redis.multi().hincrby(keys.stats, 'ticks', 1).hset(keys.stats, 'lastTickAt', now.toISOString()).exec();
      return fired;
    } finally {
      // Leave the lease cooling down until 90 % of the tick period has passed, so the fleet ticks
      // about once per period (not once per worker), and never twice at once.
      const coolDownMs = now.getTime() + 0.9 * this.config.scheduler.tickMs - Date.now();
      await (coolDownMs > 0 ? lock.coolDown(coolDownMs) : lock.expireIn(1)).catch(() => false);
    }
  }

  /** Claims, submits and records one cron run; true when this call submitted it. */
  private async fire(schedule: Schedule, runAt: Date): Promise<boolean> {
    const redis = this.connections.commandClient();
    const keys = conveyorKeys(this.config.redis.prefix).scheduler;
    const claim = keys.run(schedule._id, runAt);
    if (!(await RedisLease.acquire(redis, claim, PENDING_CLAIM_MS, PENDING))) {
      // Claimed before: by a tick whose `lastRunAt` write was lost, or by another worker right now.
      const seen = await RedisLease.holder(redis, claim);
      if (seen && seen !== PENDING) await this.schedules.recordRun(schedule._id, runAt, reviveResult(seen));
      return false;
    }
    const result = await this.submit(schedule, runAt);
    // Submitted by another tick: its claim was lost while it submitted, but the run's job id was not.
    if (!result) return false;
    await redis.set(claim, JSON.stringify(result), 'PX', CLAIM_TTL_MS);
    await redis
      .multi()
      .hincrby(keys.stats, result.outcome === 'submitted' ? 'fired' : 'refused', 1)
      .hincrby(keys.stats, `${result.outcome === 'submitted' ? 'fired' : 'refused'}:${schedule._id}`, 1)
      .exec();
    await this.schedules.recordRun(schedule._id, runAt, result);
    if (result.error) this.logger.warn(errorField(result.error), `Schedule ${schedule._id}: run of ${runAt.toISOString()} refused`);
    return result.outcome === 'submitted';
  }

  /**
   * A refused submit (queue full or draining, payload no longer valid, Redis unusable) is recorded
   * as the run's result and not retried: the next run comes at its own time. A system schedule's
   * run is one maintenance job (no record, no admission: Conveyor's own work). Undefined when the
   * run's job already exists: its id is derived from the run (scheduledRunJobId), so the record's
   * unique id refuses a second submit of it.
   */
  private async submit(schedule: Schedule, runAt: Date): Promise<ScheduleRunResult | undefined> {
    const at = new Date();
    try {
      // A system schedule, or an admin's schedule of a system task: a run of the task named by its type.
      const job =
        schedule.system || schedule.task
          ? await this.maintenance.enqueue(schedule.type, { trigger: 'scheduled', runAt: runAt.toISOString(), ...taskRun(schedule) })
          : await this.producer.submit(SCHEDULER_OWNER, { type: schedule.type, data: schedule.data }, { schedule: schedule._id, runAt });
      return { outcome: 'submitted', at, jobId: job.jobId, trigger: 'scheduled', error: null };
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      const code = error instanceof ConveyorError ? error.code : 'SUBMIT_FAILED';
      return { outcome: 'refused', at, jobId: null, trigger: 'scheduled', error: { code, message: messageOf(error) } };
    }
  }
}

function reviveResult(raw: string): ScheduleRunResult {
  const parsed = JSON.parse(raw) as ScheduleRunResult;
  return { ...parsed, at: new Date(parsed.at) };
}
