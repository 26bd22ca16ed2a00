import { Injectable, Logger } from '@nestjs/common';
import { JobProgress, JobStatus, TransitionPhase, transitionSeq, errorField } from '@conveyor/contracts';
import { JobError, JobTransition, TransitionFields, isDatabaseUnavailable } from '@conveyor/database';
import { RecordWriteBuffer } from './record-write-buffer';

const STACK_LINES = 8;
/**
 * How long an outcome write keeps retrying while MongoDB is unreachable (each try itself waits up
 * to the driver's 5 s server selection). Bull keeps renewing the job's lock meanwhile.
 */
export const OUTCOME_WRITE_BUDGET_MS = 20_000;
const OUTCOME_RETRY_MAX_DELAY_MS = 2_000;

/** Which attempt of which run of which job a write is about. */
export interface AttemptRef {
  jobId: string;
  run: number;
  /** 1 for the first attempt of the run. */
  attempt: number;
  startedAt: Date;
}

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

  attemptStarted(ref: AttemptRef, attemptsMade: number): void {
    const transition = this.transition(ref, TransitionPhase.Running, JobStatus.Active, {
      startedAt: ref.startedAt,
      attemptsMade,
      runAt: null,
    });
    this.buffer.writeLater({ kind: 'transition', transition }).catch((error: unknown) => this.logWriteFailure(ref.jobId, error));
  }

  progress(ref: AttemptRef, progress: JobProgress): void {
    const seq = transitionSeq(ref.attempt, TransitionPhase.Running, ref.run);
    this.buffer
      .writeLater({ kind: 'progress', update: { jobId: ref.jobId, seq, progress } })
      .catch((error: unknown) => this.logWriteFailure(ref.jobId, error));
  }

  async completed(ref: AttemptRef, result: unknown): Promise<void> {
    await this.durably(
      this.transition(ref, TransitionPhase.Settled, JobStatus.Completed, {
        result: result ?? null,
        error: null,
        progress: { percent: 100, step: null },
        finishedAt: new Date(),
      }),
    );
  }

  /** The attempt failed and Bull will run the job again after `retryDelayMs`. */
  async retryScheduled(ref: AttemptRef, error: unknown, retryDelayMs: number): Promise<void> {
    await this.durably({
      jobId: ref.jobId,
      seq: transitionSeq(ref.attempt + 1, TransitionPhase.Queued, ref.run),
      status: retryDelayMs > 0 ? JobStatus.Delayed : JobStatus.Waiting,
      set: { error: describeError(error), attemptsMade: ref.attempt, startedAt: ref.startedAt, runAt: new Date(Date.now() + retryDelayMs) },
    });
  }

  /** The job failed for good: last attempt used up, or a permanent error. */
  async failed(ref: AttemptRef, error: unknown): Promise<void> {
    await this.durably(
      this.transition(ref, TransitionPhase.Settled, JobStatus.Failed, { error: describeError(error), finishedAt: new Date() }),
    );
  }

  /** The client cancelled the job while this attempt ran. */
  async cancelled(ref: AttemptRef): Promise<void> {
    await this.durably(this.transition(ref, TransitionPhase.Settled, JobStatus.Cancelled, { finishedAt: new Date() }));
  }

  private transition(ref: AttemptRef, phase: TransitionPhase, status: JobStatus, set: TransitionFields): JobTransition {
    const settled = phase === TransitionPhase.Settled ? { attemptsMade: ref.attempt, startedAt: ref.startedAt } : {};
    return { jobId: ref.jobId, seq: transitionSeq(ref.attempt, phase, ref.run), status, set: { ...settled, ...set } };
  }

  /**
   * Writes an outcome, retrying while the database is unreachable, for up to
   * OUTCOME_WRITE_BUDGET_MS: a short MongoDB outage must not turn a finished attempt into a failed
   * one. Retrying is safe: the transition is guarded by its seq. Other errors are not retried.
   */
  private async durably(transition: JobTransition): Promise<void> {
    const startedAt = Date.now();
    for (let delayMs = 100; ; delayMs = Math.min(2 * delayMs, OUTCOME_RETRY_MAX_DELAY_MS)) {
      try {
        return await this.buffer.writeNow({ kind: 'transition', transition });
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() - startedAt + delayMs > OUTCOME_WRITE_BUDGET_MS) throw error;
        this.logger.warn(errorField(error), `Job ${transition.jobId}: ${transition.status} not recorded yet, retrying`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** A lost start or progress write is repaired by the job's next write or the reconcile sweep. */
  private logWriteFailure(jobId: string, error: unknown): void {
    this.logger.warn(errorField(error), `Could not record start or progress of job ${jobId}`);
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
