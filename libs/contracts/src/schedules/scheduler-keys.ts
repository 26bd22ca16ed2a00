/**
 * Redis keys of the scheduler. They hold no schedule: losing any of them cannot lose a schedule or
 * a run (MongoDB's `schedules` records what fired), only let a run be attempted again, which the
 * schedule's `lastRunAt` then refuses.
 */
export function schedulerKeys(prefix: string) {
  const base = `${prefix}:conveyor:scheduler`;
  return {
    /** The ticker's lease: one worker fires due schedules at a time. */
    lock: `${base}:lock`,
    /** Claimed (SET NX) before a cron run is submitted, so it is submitted once across workers. */
    run: (name: string, runAt: Date) => `${base}:run:${name}:${runAt.getTime()}`,
    /** Counters: `ticks`, `fired`, `refused`, `fired:<name>`, `refused:<name>`; `lastTickAt` (ISO). */
    stats: `${base}:stats`,
  };
}
