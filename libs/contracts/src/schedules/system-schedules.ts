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
}
