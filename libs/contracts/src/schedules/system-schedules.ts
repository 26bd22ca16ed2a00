import { IsInt, IsOptional, Max, Min } from 'class-validator';
/**
 * System schedules: repeating schedules that run one of Conveyor's own tasks (a Bull job on the
 * `maintenance` queue named after the schedule) instead of submitting a job type. Each is defined
 * next to its handler in apps/worker/src/maintenance/tasks and seeded into `schedules` when a worker
 * starts; admins can list and trigger them, not delete them.
 */
export interface SystemScheduleDefinition {
  /** The schedule's name (a slug), also the maintenance job's name. */
  name: string;
  /** When it runs (UTC). System schedules are not bound by SCHEDULE_MIN_INTERVAL_MS. */
  cron: string;
  description: string;
}

/** Who created a system schedule (the `createdBy` of its document). */
export const SYSTEM_SCHEDULE_CREATOR = 'system';

/** The data of a maintenance job. */
export interface MaintenanceJobData {
  /** `scheduled` for a cron run, `manual` for POST /api/v1/scheduler/jobs/:name/trigger. */
  trigger: 'scheduled' | 'manual';
  /** The cron time of a scheduled run (ISO). */
  runAt?: string;
  /** An admin's schedule of the task (not its system schedule): its name… */
  schedule?: string;
  /** …and its data, checked against SYSTEM_TASK_OPTIONS when it was created. */
  options?: Record<string, unknown>;
}

/** What seed 004's repeating `cleanup-expired-jobs` example passes: records older than this go. */
export class CleanupExpiredJobsOptions {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  olderThanDays?: number;
}

/** A system task that takes no options: any field is refused. */
export class NoTaskOptions {}

/** The options each system task accepts from a schedule's data (none unless listed). */
export const SYSTEM_TASK_OPTIONS: Readonly<Record<string, new () => object>> = {
  'cleanup-expired-jobs': CleanupExpiredJobsOptions,
};

/**
 * The maintenance queue's names in seed 004: it schedules its cleanup on `cleanup` and speaks of a
 * "System Maintenance Queue"; all name Conveyor's `maintenance` queue.
 */
export const MAINTENANCE_QUEUE_NAMES: readonly string[] = ['maintenance', 'cleanup', 'system-maintenance'];

/** What a maintenance run of a schedule carries besides its trigger: an admin's task schedule names itself and passes its data. */
export function taskRun(schedule: {
  _id: string;
  system: boolean;
  task?: boolean;
  data: object;
}): Pick<MaintenanceJobData, 'schedule' | 'options'> {
  return schedule.task && !schedule.system ? { schedule: schedule._id, options: schedule.data as Record<string, unknown> } : {};
}

/** A cron every `hours` hours at `minute` past (1: hourly; 24: daily at midnight UTC). */
export function everyHoursCron(hours: number, minute = 0): string {
  if (hours <= 1) return `${minute} * * * *`;
  return hours >= 24 ? `${minute} 0 * * *` : `${minute} */${hours} * * *`;
}

/** A cron every `minutes` minutes (60: hourly). */
export function everyMinutesCron(minutes: number): string {
  if (minutes <= 1) return '* * * * *';
  return minutes >= 60 ? '0 * * * *' : `*/${minutes} * * * *`;
}
