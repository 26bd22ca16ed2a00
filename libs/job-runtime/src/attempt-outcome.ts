import { JobOutcome } from '@conveyor/contracts';
import { Job } from 'bull';
import { JobCancelledError, PermanentJobError } from './job-errors';

/** How a failed attempt ends: retried later, failed for good, or cancelled. */
export type FailureOutcome = Exclude<JobOutcome, 'completed'>;

/**
 * How an attempt that threw ends, by the rule Bull applies right after: a cancelled job and a
 * permanent error are discarded by their processor, and otherwise the job is retried while it has
 * attempts left. (The job and webhook processors decide retry and give-up the same way.)
 */
export function attemptOutcome(job: Pick<Job, 'attemptsMade' | 'opts'>, error: unknown): FailureOutcome {
  if (error instanceof JobCancelledError) return 'cancelled';
  if (error instanceof PermanentJobError) return 'failed';
  return job.attemptsMade + 1 < (job.opts.attempts ?? 1) ? 'retried' : 'failed';
}
