import { Injectable, Logger } from '@nestjs/common';
import { JobProgress, JobStatus, TransitionPhase, transitionSeq } from '@conveyor/contracts';
import { JobError, JobTransition } from '@conveyor/database';
import { RecordWriteBuffer } from './record-write-buffer';

const STACK_LINES = 8;

/**
 * Turns what happens to a running attempt into guarded record transitions. Every write carries
 * the attempt's sequence number, so a replayed or late write can never move a record backwards.
 *
 * Start and progress writes are not waited for and may be folded into the outcome (see
 * RecordWriteBuffer). Outcomes are awaited: a terminal state is durable before Bull acknowledges
 * the job, and carries the attempt's start time itself.
 */
@Injectable()
export class JobRecordWriter {
  private readonly logger = new Logger(JobRecordWriter.name);

  constructor(private readonly buffer: RecordWriteBuffer) {}

  attemptStarted(jobId: string, attempt: number, attemptsMade: number, startedAt: Date): void {
    this.buffer
      .writeLater({
        kind: 'transition',
        transition: {
          jobId,
          seq: transitionSeq(attempt, TransitionPhase.Running),
          status: JobStatus.Active,
          set: { startedAt, attemptsMade, runAt: null },
        },
      })
      .catch((error: unknown) => this.logWriteFailure(jobId, error));
  }

  progress(jobId: string, attempt: number, progress: JobProgress): void {
    this.buffer
      .writeLater({ kind: 'progress', update: { jobId, seq: transitionSeq(attempt, TransitionPhase.Running), progress } })
      .catch((error: unknown) => this.logWriteFailure(jobId, error));
  }

  /** Must resolve before the processor returns: the record is durable before Bull acknowledges. */
  async completed(jobId: string, attempt: number, startedAt: Date, result: unknown): Promise<void> {
    await this.durably({
      jobId,
      seq: transitionSeq(attempt, TransitionPhase.Settled),
      status: JobStatus.Completed,
      set: {
        result: result ?? null,
        error: null,
        attemptsMade: attempt,
        progress: { percent: 100, step: null },
        startedAt,
        finishedAt: new Date(),
      },
    });
  }

  /** The attempt failed and Bull will run the job again after `retryDelayMs`. */
  async retryScheduled(jobId: string, attempt: number, startedAt: Date, error: unknown, retryDelayMs: number): Promise<void> {
    await this.durably({
      jobId,
      seq: transitionSeq(attempt + 1, TransitionPhase.Queued),
      status: retryDelayMs > 0 ? JobStatus.Delayed : JobStatus.Waiting,
      set: { error: describeError(error), attemptsMade: attempt, startedAt, runAt: new Date(Date.now() + retryDelayMs) },
    });
  }

  /** The job failed for good: last attempt used up, or a permanent error. */
  async failed(jobId: string, attempt: number, startedAt: Date, error: unknown): Promise<void> {
    await this.durably({
      jobId,
      seq: transitionSeq(attempt, TransitionPhase.Settled),
      status: JobStatus.Failed,
      set: { error: describeError(error), attemptsMade: attempt, startedAt, finishedAt: new Date() },
    });
  }

  private durably(transition: JobTransition): Promise<void> {
    return this.buffer.writeNow({ kind: 'transition', transition });
  }

  /** A lost start or progress write is repaired by the job's next write or the reconcile sweep. */
  private logWriteFailure(jobId: string, error: unknown): void {
    this.logger.warn(`Could not record start or progress of job ${jobId}: ${error instanceof Error ? error.message : String(error)}`);
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
