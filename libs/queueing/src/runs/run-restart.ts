import { Injectable } from '@nestjs/common';
import { ConveyorError, ErrorCode, JobStatus, TransitionPhase, ownerFromKey, runClosingSeq, transitionSeq } from '@conveyor/contracts';
import { JobRecord, JobsRepository } from '@conveyor/database';
import { JobControl } from '../job-control.service';
import { RunAdmissions, RunStart } from './run-admission';
import { queueCall } from '../queue-call';

/** Runs one job may have (1 + retries): each keeps a history entry in the record. */
export const MAX_RUNS = 20;

/** Why a run did not start: the record moved on meanwhile (`raced`), or the queue refused it. */
export type RunRestartRefusal = { reason: 'raced'; record: JobRecord | null };

/**
 * Starts the next run of a failed or cancelled job from its record (a retry, a dead letter's
 * requeue, a flow's retry of what failed under it): the product's admission first, then the
 * record's new run (a guarded write: a second start of the same run loses), then the Bull job. A
 * run that could not be enqueued is recorded failed; one a cancel overtook is taken back out. The
 * callers check that the job may run again (its state, its type, MAX_RUNS).
 */
@Injectable()
export class RunRestart {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly control: JobControl,
    private readonly admissions: RunAdmissions,
  ) {}

  /** The new run's number, or a refusal when the record moved on first. `data`: a new sealed payload. */
  async start(record: JobRecord, data?: unknown): Promise<number | RunRestartRefusal> {
    const jobId = record._id;
    if (record.run >= MAX_RUNS) {
      throw new ConveyorError(
        ErrorCode.InvalidJobState,
        `Job ${jobId} has run ${record.run} times, the most allowed; submit it again as a new job`,
        {
          details: { status: record.status, run: record.run, maxRuns: MAX_RUNS },
        },
      );
    }
    // The worker records an outcome before Bull releases the job; until then it cannot be replaced.
    if ((await queueCall(() => this.control.stateOf(record.queue, jobId))) === 'active') {
      throw new ConveyorError(ErrorCode.InvalidJobState, `Job ${jobId} is still being settled by its worker; retry in a moment`, {
        details: { status: record.status },
        retryAfterSeconds: 1,
      });
    }
    const run = record.run + 1;
    // The product's own state the run will consume (e.g. credits) is taken first, and given back
    // if the run does not start.
    const start: RunStart = { jobId, type: record.type, owner: ownerFromKey(record.ownerKey), run };
    await this.admissions.admit(start);
    if (!(await this.jobs.startNewRun(record, transitionSeq(1, TransitionPhase.Queued, run), data))) {
      await this.admissions.withdraw(start);
      return { reason: 'raced', record: await this.jobs.findByIdUnscoped(jobId) };
    }
    try {
      await this.control.enqueueRun(data === undefined ? record : { ...record, data }, run);
    } catch (cause) {
      await this.admissions.withdraw(start);
      await this.jobs.transition({
        jobId,
        seq: runClosingSeq(run),
        status: JobStatus.Failed,
        set: { error: { message: 'The retry could not be enqueued', code: ErrorCode.QueueUnavailable }, finishedAt: new Date() },
      });
      throw new ConveyorError(ErrorCode.QueueUnavailable, 'The job queue is unavailable; the retry was not accepted. Retry later.', {
        cause,
        retryAfterSeconds: 5,
      });
    }
    // A cancel that came between the new run's record and its Bull job found nothing to remove;
    // it recorded the run cancelled, so the Bull job added since must not run either.
    const after = await this.jobs.findByIdUnscoped(jobId);
    if (after?.status === JobStatus.Cancelled && after.run === run) {
      await queueCall(() => this.control.withdrawRun(record.queue, jobId));
      return { reason: 'raced', record: after };
    }
    return run;
  }
}
