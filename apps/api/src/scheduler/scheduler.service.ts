import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { QueueReads } from '../queues/queue-reads.service';
import { QueueHealthSummary } from '../health/queue-health-summary';
import { SystemMetrics } from './system-metrics';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  ConveyorError,
  ErrorCode,
  JobStatus,
  MAX_DELAY_MS,
  MAINTENANCE_QUEUE_NAMES,
  NoTaskOptions,
  SCHEDULER_OWNER,
  SYSTEM_TASK_OPTIONS,
  checkCronSpec,
  taskRun,
  dueRun,
  nextRunAfter,
  ownerKey,
  validatePayload,
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

/** The system schedule whose runs are the scheduler's health checks. */
const HEALTH_CHECK_SCHEDULE = 'health-check-services';

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
    private readonly queueReads: QueueReads,
    private readonly queueHealth: QueueHealthSummary,
    private readonly systemMetrics: SystemMetrics,
  ) {}

  /** A one-off job held back until `runAt` (or for `delayMs`): an ordinary submission with a delay. */
  async submitDelayed(caller: Caller, request: DelayedJobRequest): Promise<DelayedJobResponse> {
    const now = Date.now();
    const delay = delayOf(request, now);
    const job = await this.producer.submit(caller.owner, {
      type: request.type,
      queue: request.queue,
      data: request.data,
      options: { delay },
    });
    return { ...job, runAt: new Date(now + delay).toISOString() };
  }

  async create(caller: Caller, request: RepeatingScheduleRequest): Promise<ScheduleResponse> {
    const spec = { cron: cronOf(request), timezone: request.timezone ?? null };
    const problems = checkCronSpec(spec, this.config.scheduler.minIntervalMs);
    if (problems.length > 0) throw validationFailed(problems);
    // A system task's runs go to the maintenance queue with their data as its options; a job
    // type's is validated as the scheduler's own submission will be, and stored normalised.
    const task = await this.isSystemTask(request.type);
    const data = task ? await this.taskOptions(request) : await this.jobData(request);
    const name = request.name ?? derivedScheduleName(request.type, spec.cron, data);
    const schedule: Schedule = {
      _id: name,
      type: request.type,
      system: false,
      task,
      data,
      ...spec,
      description: request.description ?? null,
      createdAt: new Date(),
      createdBy: ownerKey(caller.owner),
      lastRunAt: null,
      lastResult: null,
    };
    if (!(await this.schedules.create(schedule))) {
      throw new ConveyorError(ErrorCode.ScheduleExists, `A schedule named "${name}" exists; delete it first`, {
        fields: [{ field: 'name', message: `name "${name}" is taken` }],
      });
    }
    return view(schedule);
  }

  /** Whether `type` names a system task: its system schedule exists (workers seed one per task). */
  private async isSystemTask(type: string): Promise<boolean> {
    return (await this.schedules.find(type))?.system === true;
  }

  private async taskOptions(request: RepeatingScheduleRequest): Promise<Record<string, unknown>> {
    if (request.queue !== undefined && !MAINTENANCE_QUEUE_NAMES.includes(request.queue)) {
      const message = `queue must be maintenance for the system task ${request.type} (or left out)`;
      throw validationFailed([{ field: 'queue', message }]);
    }
    const options = await validatePayload(SYSTEM_TASK_OPTIONS[request.type] ?? NoTaskOptions, request.data);
    return JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
  }

  private async jobData(request: RepeatingScheduleRequest): Promise<object> {
    const { payload } = await this.producer.prepare(SCHEDULER_OWNER, { type: request.type, queue: request.queue, data: request.data });
    return payload;
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
    const job =
      schedule.system || schedule.task
        ? {
            ...(await this.maintenance.enqueue(schedule.type, { trigger: 'manual', ...taskRun(schedule) })),
            type: schedule.type,
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
    const [schedules, counters, queues] = await Promise.all([this.schedules.all(), this.counters(), this.queueReads.list()]);
    const items = await Promise.all(schedules.map((s) => this.withJobStatus(s)));
    const nextRuns = items.map((i) => i.nextRunAt).filter((at): at is string => at !== null);
    return {
      // Seed 004's names first.
      scheduledJobsCount: items.length,
      scheduledJobs: items.map((i) => i.name),
      queueHealth: queues.map((q) => ({
        name: q.name,
        healthStatus: q.healthStatus,
        processingRate: q.processingRate,
        totalJobs: q.liveStats.total,
      })),
      uptime: Math.floor(process.uptime()),
      lastHealthCheck: lastHealthCheckOf(schedules),
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
    const queues = await this.queueHealth.read().catch(() => null);
    const count = (status: string) => queues?.queues.filter((q) => q.healthStatus === status).length ?? 0;
    return {
      status: reasons.length > 0 ? 'warning' : 'healthy',
      reasons,
      overdue,
      lastTickAt,
      overdueAfterMs,
      // Seed 004: the scheduler's health page summarises the queues' too.
      queueHealth:
        queues === null
          ? null
          : {
              checkedAt: queues.checkedAt,
              healthy: count('healthy'),
              warning: count('warning'),
              error: count('error'),
              notHealthy: queues.queues.filter((q) => q.healthStatus !== 'healthy'),
            },
      lastHealthCheck: lastHealthCheckOf(schedules),
    };
  }

  async metrics(): Promise<SchedulerMetricsResponse> {
    const [schedules, counters, system, queues] = await Promise.all([
      this.schedules.all(),
      this.counters(),
      this.systemMetrics.system(),
      this.systemMetrics.queues(),
    ]);
    return {
      system,
      queues,
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
    const status =
      schedule.system || schedule.task ? await this.maintenance.state(jobId) : (await this.jobs.findByIdUnscoped(jobId))?.status;
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
    task: s.task === true,
    data: s.data,
    cron: s.cron,
    timezone: s.timezone,
    description: s.description,
    jobOwner: s.system || s.task ? null : ownerKey(SCHEDULER_OWNER),
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

/**
 * When `health-check-services` last ran (seed 004's `lastHealthCheck`): its cron run, or a manual
 * trigger since (which does not move `lastRunAt`, but is a health check too); null before either.
 */
function lastHealthCheckOf(schedules: Schedule[]): string | null {
  const schedule = schedules.find((s) => s._id === HEALTH_CHECK_SCHEDULE);
  const last = schedule?.lastResult;
  const triggered = last?.trigger === 'manual' && last.outcome === 'submitted' ? new Date(last.at) : null;
  const runs = [schedule?.lastRunAt, triggered].filter((at): at is Date => at instanceof Date);
  return runs.length > 0 ? new Date(Math.max(...runs.map((at) => at.getTime()))).toISOString() : null;
}

/** `cron`, or seed 004's `cronExpression`: one of them, or both the same. */
function cronOf(request: RepeatingScheduleRequest): string {
  const { cron, cronExpression } = request;
  if (cron !== undefined && cronExpression !== undefined && cron.trim() !== cronExpression.trim())
    throw validationFailed([{ field: 'cronExpression', message: 'cronExpression is another name for cron: send one, or both the same' }]);
  const spec = cron ?? cronExpression;
  if (spec === undefined) throw validationFailed([{ field: 'cron', message: 'cron (or cronExpression) is required' }]);
  return spec.trim();
}

/** A name for a schedule sent without one: its type, and a hash of what it runs and when. */
export function derivedScheduleName(type: string, cron: string, data: object): string {
  const slug = type
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  const hash = createHash('sha256')
    .update(JSON.stringify([type, cron, data]))
    .digest('hex')
    .slice(0, 8);
  return `${slug || 'schedule'}-${hash}`;
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
