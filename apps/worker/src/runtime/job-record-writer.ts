import { Injectable } from '@nestjs/common';
import { JobProgress, JobStatus, TransitionPhase, transitionSeq } from '@conveyor/contracts';
import { JobError, JobsRepository } from '@conveyor/database';

const STACK_LINES = 8;

/**
 * Turns what happens to a running attempt into guarded record transitions. Every write carries
 * the attempt's sequence number, so a replayed or late write can never move a record backwards.
 */
@Injectable()
export class JobRecordWriter {
  constructor(private readonly jobs: JobsRepository) {}

  async attemptStarted(jobId: string, attempt: number, attemptsMade: number): Promise<void> {
    await this.jobs.transition({
      jobId,
      seq: transitionSeq(attempt, TransitionPhase.Running),
      status: JobStatus.Active,
      set: { startedAt: new Date(), attemptsMade, runAt: null },
    });
  }

  async progress(jobId: string, attempt: number, progress: JobProgress): Promise<void> {
    await this.jobs.recordProgress({ jobId, seq: transitionSeq(attempt, TransitionPhase.Running), progress });
  }

  /** Must resolve before the processor returns: the record is durable before Bull acknowledges. */
  async completed(jobId: string, attempt: number, result: unknown): Promise<void> {
    await this.jobs.transition({
      jobId,
      seq: transitionSeq(attempt, TransitionPhase.Settled),
      status: JobStatus.Completed,
      set: { result: result ?? null, error: null, attemptsMade: attempt, progress: { percent: 100, step: null }, finishedAt: new Date() },
    });
  }

  /** The attempt failed and Bull will run the job again after `retryDelayMs`. */
  async retryScheduled(jobId: string, attempt: number, error: unknown, retryDelayMs: number): Promise<void> {
    await this.jobs.transition({
      jobId,
      seq: transitionSeq(attempt + 1, TransitionPhase.Queued),
      status: retryDelayMs > 0 ? JobStatus.Delayed : JobStatus.Waiting,
      set: { error: describeError(error), attemptsMade: attempt, runAt: new Date(Date.now() + retryDelayMs) },
    });
  }

  /** The job failed for good: last attempt used up, or a permanent error. */
  async failed(jobId: string, attempt: number, error: unknown): Promise<void> {
    await this.jobs.transition({
      jobId,
      seq: transitionSeq(attempt, TransitionPhase.Settled),
      status: JobStatus.Failed,
      set: { error: describeError(error), attemptsMade: attempt, finishedAt: new Date() },
    });
  }
}

export function describeError(error: unknown): JobError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      message: error.message,
      code: typeof code === 'string' ? code : error.name,
      stack: error.stack?.split('\n').slice(0, STACK_LINES).join('\n'),
    };
  }
  return { message: String(error), code: 'NonError' };
}
