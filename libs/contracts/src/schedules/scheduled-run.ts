import { derivedUuid } from '../derived-uuid';

/** The cron run of a repeating schedule that a job was fired for (one job per run). */
export interface ScheduledRun {
  /** The schedule's name. */
  schedule: string;
  /** The run's time on the cron, not when the job was submitted (a late tick fires it later). */
  runAt: Date;
}

/**
 * The job id of a schedule's run, derived from the schedule and the run's time: a second submit
 * of the same run (by a tick whose Redis lease and claim were lost while the first was submitting)
 * is refused by the record's unique id, so a run never has two jobs.
 */
export function scheduledRunJobId({ schedule, runAt }: ScheduledRun): string {
  return derivedUuid(`conveyor-scheduled-run\n${schedule}\n${runAt.toISOString()}`);
}
