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
 * transition of a job, so a late or replayed write can be recognised and refused (DESIGN §2).
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

/** Monotonic sequence number of a transition: attempt 1 queued = 4, running = 5, settled = 6, … */
export function transitionSeq(attempt: number, phase: TransitionPhase): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  return attempt * PHASES_PER_ATTEMPT + phase;
}

/**
 * The transition guard: a record moves only forward, and never out of a terminal state.
 * (An explicit retry of a finished job starts a new run and is not a transition.)
 */
export function canTransition(current: { seq: number; status: JobStatus }, nextSeq: number): boolean {
  return !isTerminal(current.status) && nextSeq > current.seq;
}
