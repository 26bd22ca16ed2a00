export enum JobStatus {
  Waiting = 'waiting',
  Delayed = 'delayed',
  Active = 'active',
  Completed = 'completed',
  Failed = 'failed',
  Cancelled = 'cancelled',
}

export const TERMINAL_STATUSES: readonly JobStatus[] = [JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Where within an attempt a transition happens. Together with the attempt number it orders every
 * transition of a job, so a late or replayed write can be recognised and refused (DESIGN §2). The
 * guard itself is the filter of JobsRepository's transitions (a higher seq, a record not terminal),
 * proven against the Mongo-wire server in test/medium.
 */
export enum TransitionPhase {
  /** Waiting or delayed before the attempt starts. */
  Queued = 0,
  /** The attempt is running (start and progress). */
  Running = 1,
  /** The attempt ended (completed, failed, cancelled). */
  Settled = 2,
}

const PHASES_PER_ATTEMPT = 4;
/** Room for the attempts of one run; a retry of a finished job starts the next run above it. */
const SEQ_PER_RUN = 1 << 16;

/**
 * Monotonic sequence number of a transition: attempt 1 queued = 4, running = 5, settled = 6, …;
 * every transition of run 2 (an explicit retry of a finished job) is above all of run 1.
 */
export function transitionSeq(attempt: number, phase: TransitionPhase, run = 1): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  if (!Number.isInteger(run) || run < 1) throw new RangeError(`run must be a positive integer, got ${run}`);
  return (run - 1) * SEQ_PER_RUN + attempt * PHASES_PER_ATTEMPT + phase;
}

/**
 * Above every attempt's transitions in a run, below the next run: the seq of an outcome decided
 * outside any attempt (the API cancelling a job no worker holds), so no attempt's write can
 * overtake it, whatever attempt the record had reached meanwhile.
 */
export function runClosingSeq(run = 1): number {
  if (!Number.isInteger(run) || run < 1) throw new RangeError(`run must be a positive integer, got ${run}`);
  return run * SEQ_PER_RUN - 1;
}
