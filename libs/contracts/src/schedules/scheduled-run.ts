/** The cron run of a repeating schedule that a job was fired for (one job per run). */
export interface ScheduledRun {
  /** The schedule's name. */
  schedule: string;
  /** The run's time on the cron, not when the job was submitted (a late tick fires it later). */
  runAt: Date;
}
