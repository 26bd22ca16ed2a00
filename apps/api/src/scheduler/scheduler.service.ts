import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  ConveyorError,
  ErrorCode,
  JobStatus,
  MAX_DELAY_MS,
  SCHEDULER_OWNER,
  checkCronSpec,
  dueRun,
  nextRunAfter,
  ownerKey,
  validationFailed,
} from '@conveyor/contracts';
import { JobsRepository, Schedule, ScheduleRunResult, SchedulesRepository } from '@conveyor/database';
import { JobProducer, MaintenanceQueue, RedisConnections, conveyorKeys } from '@conveyor/queueing';
import { Caller } from '@conveyor/http';
import { DelayedJobRequest, RepeatingScheduleRequest } from './dto/scheduler.request';
import {
  DelayedJobResponse,
  DeletedScheduleResponse,
  ScheduleResponse,
  ScheduleRunResultResponse,
  SchedulerHealthResponse,
  SchedulerMetricsResponse,
  SchedulerStatsResponse,
  TriggeredScheduleResponse,
} from './dto/scheduler.response';

/** A run this late past its time means no worker is firing schedules (a few missed ticks, plus slack). */
const OVERDUE_SLACK_MS = 30_000;

/** Delayed jobs for any caller; repeating schedules, their triggers and their state for admins. */
@Injectable()
export class SchedulerService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: JobProducer,
    private readonly schedules: SchedulesRepository,
    private readonly jobs: JobsRepository,
    private readonly connections: RedisConnections,
    private readonly maintenance: MaintenanceQueue,
  ) {}

  /** A one-off job held back until `runAt` (or for `delayMs`): an ordinary submission with a delay. */
  async submitDelayed(caller: Caller, request: DelayedJobRequest): Promise<DelayedJobResponse> {
    const now = Date.now();
    const delay = delayOf(request, now);
    const job = await this.producer.submit(caller.owner, { type: request.type, data: request.data, options: { delay } });
    return { ...job, runAt: new Date(now + delay).toISOString() };
  }

  async create(caller: Caller, request: RepeatingScheduleRequest): Promise<ScheduleResponse> {
    const spec = { cron: request.cron.trim(), timezone: request.timezone ?? null };
    const problems = checkCronSpec(spec, this.config.scheduler.minIntervalMs);
    if (problems.length > 0) throw validationFailed(problems);
    // Validated as the scheduler's own submission will be, and stored normalised.
    const { payload } = await this.producer.prepare(SCHEDULER_OWNER, { type: request.type, data: request.data });
    const schedule: Schedule = {
      _id: request.name,
      type: request.type,
      system: false,
      data: payload,
      ...spec,
      description: request.description ?? null,
      createdAt: new Date(),
      createdBy: ownerKey(caller.owner),
      lastRunAt: null,
      lastResult: null,
    };
    if (!(await this.schedules.create(schedule))) {
      throw new ConveyorError(ErrorCode.ScheduleExists, `A schedule named "${request.name}" exists; delete it first`, {
        fields: [{ field: 'name', message: `name "${request.name}" is taken` }],
      });
    }
    return view(schedule);
  }

  async list(): Promise<ScheduleResponse[]> {
    return (await this.schedules.all()).map((s) => view(s));
  }

  async delete(name: string): Promise<DeletedScheduleResponse> {
    const outcome = await this.schedules.delete(name);
    if (outcome === 'not_found') throw scheduleNotFound(name);
    if (outcome === 'system') {
      throw new ConveyorError(
        ErrorCode.ScheduleIsSystem,
        `"${name}" is a system schedule: it can be triggered but not deleted (workers seed it at start)`,
      );
    }
    return { name, deleted: true };
  }

  /**
   * Runs a schedule now: one job, owned like its cron runs (a system schedule's: one run of its
   * task on the maintenance queue); the cron's timeline does not move.
   */
  async trigger(name: string): Promise<TriggeredScheduleResponse> {
    const schedule = await this.schedules.find(name);
    if (!schedule) throw scheduleNotFound(name);
    const job = schedule.system
      ? {
          ...(await this.maintenance.enqueue(name, { trigger: 'manual' })),
          type: name,
          status: JobStatus.Waiting,
          queuePosition: null,
          estimatedWaitSeconds: 0,
          createdAt: new Date().toISOString(),
        }
      : await this.producer.submit(SCHEDULER_OWNER, { type: schedule.type, data: schedule.data });
    const result: ScheduleRunResult = { outcome: 'submitted', at: new Date(), jobId: job.jobId, trigger: 'manual', error: null };
    await this.schedules.recordTrigger(name, result);
    return { ...job, schedule: name };
  }

  async stats(): Promise<SchedulerStatsResponse> {
    const [schedules, counters] = await Promise.all([this.schedules.all(), this.counters()]);
    const items = await Promise.all(schedules.map((s) => this.withJobStatus(s)));
    const nextRuns = items.map((i) => i.nextRunAt).filter((at): at is string => at !== null);
    return {
      schedules: items.length,
      nextRunAt: nextRuns.sort()[0] ?? null,
      fired: number(counters.fired),
      refused: number(counters.refused),
      lastTickAt: counters.lastTickAt ?? null,
      items,
    };
  }

  /** Warning when a schedule's run is overdue (no worker fired it) or no worker has ticked lately. */
  async health(): Promise<SchedulerHealthResponse> {
    const [schedules, counters] = await Promise.all([this.schedules.all(), this.counters()]);
    const overdueAfterMs = 3 * this.config.scheduler.tickMs + OVERDUE_SLACK_MS;
    const now = Date.now();
    const overdue = schedules.flatMap((s) => {
      const dueAt = safely(() => dueRun(s, s.lastRunAt ?? s.createdAt, new Date(now - overdueAfterMs)));
      return dueAt ? [{ name: s._id, dueAt: dueAt.toISOString(), lateMs: now - dueAt.getTime() }] : [];
    });
    const reasons = overdue.map((o) => `schedule ${o.name} is ${Math.round(o.lateMs / 1000)} s past its run at ${o.dueAt}`);
    const lastTickAt = counters.lastTickAt ?? null;
    if (schedules.length > 0 && (lastTickAt === null || now - Date.parse(lastTickAt) > overdueAfterMs)) {
      reasons.push(lastTickAt === null ? 'no worker has ticked the scheduler' : `no worker has ticked the scheduler since ${lastTickAt}`);
    }
    return { status: reasons.length > 0 ? 'warning' : 'healthy', reasons, overdue, lastTickAt, overdueAfterMs };
  }

  async metrics(): Promise<SchedulerMetricsResponse> {
    const [schedules, counters] = await Promise.all([this.schedules.all(), this.counters()]);
    return {
      ticks: number(counters.ticks),
      fired: number(counters.fired),
      refused: number(counters.refused),
      schedules: schedules.map((s) => ({
        name: s._id,
        fired: number(counters[`fired:${s._id}`]),
        refused: number(counters[`refused:${s._id}`]),
      })),
    };
  }

  private counters(): Promise<Record<string, string>> {
    return this.connections.commandClient().hgetall(conveyorKeys(this.config.redis.prefix).scheduler.stats);
  }

  /**
   * The last fired job's status: from its record by `_id` (the one lookup FerretDB indexes), or for
   * a system schedule, whose runs have no record, from Bull while it keeps the maintenance job.
   */
  private async withJobStatus(schedule: Schedule): Promise<ScheduleResponse> {
    const item = view(schedule);
    const jobId = item.lastResult?.jobId;
    if (!item.lastResult || !jobId) return item;
    const status = schedule.system ? await this.maintenance.state(jobId) : (await this.jobs.findByIdUnscoped(jobId))?.status;
    return { ...item, lastResult: { ...item.lastResult, jobStatus: (status as JobStatus | undefined) ?? null } };
  }
}

function delayOf(request: DelayedJobRequest, now: number): number {
  if ((request.delayMs === undefined) === (request.runAt === undefined)) {
    const message = 'send exactly one of delayMs or runAt';
    throw validationFailed([
      { field: 'delayMs', message },
      { field: 'runAt', message },
    ]);
  }
  if (request.delayMs !== undefined) return request.delayMs;
  const delay = Date.parse(request.runAt!) - now;
  if (!(delay > 0)) throw validationFailed([{ field: 'runAt', message: 'runAt must be in the future' }]);
  if (delay > MAX_DELAY_MS) throw validationFailed([{ field: 'runAt', message: 'runAt must be at most 30 days ahead' }]);
  return delay;
}

function view(s: Schedule): ScheduleResponse {
  return {
    name: s._id,
    type: s.type,
    system: s.system === true,
    data: s.data,
    cron: s.cron,
    timezone: s.timezone,
    description: s.description,
    jobOwner: s.system ? null : ownerKey(SCHEDULER_OWNER),
    createdAt: s.createdAt.toISOString(),
    createdBy: s.createdBy,
    lastRunAt: s.lastRunAt?.toISOString() ?? null,
    nextRunAt: safely(() => nextRunAfter(s, s.lastRunAt ?? s.createdAt))?.toISOString() ?? null,
    lastResult: s.lastResult ? resultView(s.lastResult) : null,
  };
}

function resultView(r: ScheduleRunResult): ScheduleRunResultResponse {
  return { outcome: r.outcome, trigger: r.trigger, at: new Date(r.at).toISOString(), jobId: r.jobId, error: r.error };
}

/** A stored cron that no longer parses (a newer parser) must not break every listing. */
function safely<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch {
    return undefined;
  }
}

function number(value: string | undefined): number {
  return value === undefined ? 0 : Number(value);
}

function scheduleNotFound(name: string): ConveyorError {
  return new ConveyorError(ErrorCode.ScheduleNotFound, `No schedule named "${name}"`);
}
