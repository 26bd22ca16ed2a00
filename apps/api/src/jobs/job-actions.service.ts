import { Inject, Injectable } from '@nestjs/common';
import {
  ConveyorError,
  DataCipher,
  ErrorCode,
  JobStatus,
  JobTypeRegistry,
  PRIORITY_RULE,
  PriorityInput,
  TransitionPhase,
  isTerminal,
  resolvePriority,
  transitionSeq,
  runClosingSeq,
  ownerFromKey,
  validationFailed,
} from '@conveyor/contracts';
import { FanOutsRepository, JobRecord, JobsRepository } from '@conveyor/database';
import { FlowCancellation, JOB_TYPE_REGISTRY, JobControl, QueueStats, RunAdmissions, RunSettlement, RunStart } from '@conveyor/queueing';
import { Caller } from '@conveyor/http';
import { CancelJobResponse, ChangePriorityResponse, RetryJobResponse } from './dto/job-control.dto';
import { JobReads } from './job-reads.service';

/** Runs one job may have (1 + retries): each keeps a history entry in the record. */
export const MAX_RUNS = 20;
const CANCELLABLE = [JobStatus.Waiting, JobStatus.Delayed, JobStatus.Active];

/** What a caller may do to a job's run: cancel it, retry it, re-prioritise it; dead letters' requeue shares runAgain. */
@Injectable()
export class JobActions {
  constructor(
    private readonly reads: JobReads,
    private readonly jobs: JobsRepository,
    private readonly control: JobControl,
    private readonly stats: QueueStats,
    private readonly settlement: RunSettlement,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly cipher: DataCipher,
    private readonly admissions: RunAdmissions,
    private readonly flows: FlowCancellation,
    private readonly fanOuts: FanOutsRepository,
  ) {}

  /**
   * Waiting or delayed: removed from the queue and recorded as cancelled at once. Active: the
   * worker is asked to stop it (at its next step boundary, or sooner where the step takes the
   * abort signal); it records the cancellation and never retries the job. The flow under the job
   * (what its fan-outs started) is cancelled first; a job that has ended while its flow runs on is
   * cancelled for its flow. A job cancelled while it fans out takes back what it started then
   * (FlowStarter reads the cancel request after enqueueing).
   */
  async cancel(caller: Caller, jobId: string): Promise<CancelJobResponse> {
    const record = await this.reads.findRecord(caller, jobId);
    const openFlow = await queueCall(() => this.flows.hasOpenFlow(record));
    const descendants: Pick<CancelJobResponse, 'descendantsCancelled'> = openFlow
      ? { descendantsCancelled: await queueCall(() => this.flows.cancelUnder(record)) }
      : {};
    if (isTerminal(record.status)) {
      if (openFlow) return { cancelled: true, status: record.status, ...descendants };
      throw invalidState(record, 'cancelled', CANCELLABLE);
    }
    return { ...(await this.cancelOwn(caller, record)), ...descendants };
  }

  private async cancelOwn(caller: Caller, record: JobRecord): Promise<CancelJobResponse> {
    const jobId = record._id;
    const outcome = await queueCall(() => this.control.removeIfQueued(record.queue, jobId));
    if (outcome === 'running') {
      await queueCall(() => this.control.requestCancel(record.queue, jobId));
      return { cancelled: true, status: 'cancelling' };
    }
    if (outcome === 'finished') {
      // Bull finished it since the record was read; the record now says how.
      throw invalidState(await this.reads.findRecord(caller, jobId), 'cancelled', CANCELLABLE);
    }
    // Removed (or already gone from Redis): no worker holds the job, so the API records it, with
    // a seq above any attempt's (a retry may have been scheduled since the record was read).
    const recorded = await this.settlement.settle({
      record,
      status: JobStatus.Cancelled,
      set: { finishedAt: new Date() },
      message: 'Cancelled before a worker took it; start it again to re-run',
    });
    if (!recorded) throw invalidState(await this.reads.findRecord(caller, jobId), 'cancelled', CANCELLABLE);
    return { cancelled: true, status: JobStatus.Cancelled };
  }

  /** A failed or cancelled job runs again from its first attempt; the finished run is kept in its history. */
  async retry(caller: Caller, jobId: string): Promise<RetryJobResponse> {
    return this.runAgain(await this.reads.findRecord(caller, jobId));
  }

  /**
   * Starts the next run of a failed or cancelled job: a retry, or a dead letter's requeue. `data`,
   * when given, is the new payload (validated by the caller like a submission); the record keeps
   * it. The caller has already checked that it may act on `record`.
   */
  async runAgain(record: JobRecord, newPayload?: object): Promise<RetryJobResponse> {
    const jobId = record._id;
    // A new payload is stored sealed, like a submission's (DataCipher).
    const data = newPayload === undefined ? undefined : this.cipher.sealNew(newPayload, jobId);
    this.checkRunnableAgain(record);
    if (record.status !== JobStatus.Failed && record.status !== JobStatus.Cancelled) {
      throw invalidState(record, 'retried', [JobStatus.Failed, JobStatus.Cancelled]);
    }
    // A new run would fan out to the same children (their ids derive from the job): until a flow's
    // retry re-runs what failed under it, such a job is submitted again instead.
    if ((await this.fanOuts.ofParent(jobId)).length > 0) {
      throw new ConveyorError(
        ErrorCode.InvalidJobState,
        `Job ${jobId} started a flow; running it again is not supported yet: submit it as a new job`,
        { details: { status: record.status } },
      );
    }
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
      throw invalidState(await this.recordAfterRace(jobId), 'retried', [JobStatus.Failed, JobStatus.Cancelled]);
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
    if (after && isTerminal(after.status) && after.run === run) {
      if ((await queueCall(() => this.control.removeIfQueued(record.queue, jobId))) === 'running') {
        await queueCall(() => this.control.requestCancel(record.queue, jobId));
      }
      throw invalidState(after, 'retried', [JobStatus.Failed, JobStatus.Cancelled]);
    }
    return { jobId, status: this.registry.statusWord(record.type, JobStatus.Waiting), run };
  }

  /**
   * A type a product starts itself (`startedBy`) never gets a new run here, whatever its state: it
   * would skip the product's own rules (for example one run per entry, claimed before it is
   * enqueued), so the answer names the product's route instead.
   */
  checkRunnableAgain(record: JobRecord): void {
    const definition = this.registry.get(record.type);
    const startedBy = definition?.startedBy;
    if (!startedBy || definition.retriedThroughJobsApi) return;
    throw new ConveyorError(
      ErrorCode.InvalidJobState,
      `Job ${record._id} is a ${record.type} run, which its product starts; run it again with ${startedBy}`,
      { details: { status: record.status, type: record.type, startedBy } },
    );
  }

  /** Moves a waiting job to another priority; it goes behind the jobs already waiting at that priority. */
  async changePriority(caller: Caller, jobId: string, input: PriorityInput | string): Promise<ChangePriorityResponse> {
    const record = await this.reads.findRecord(caller, jobId);
    // In the job type's own scale when it has one (seed 002's URGENT…LOW), else Conveyor's.
    const vocabulary = this.registry.get(record.type)?.priorityVocabulary;
    const priority = vocabulary ? vocabulary.read(input) : resolvePriority(input);
    if (priority === undefined) throw validationFailed([{ field: 'priority', message: `priority ${vocabulary?.rule ?? PRIORITY_RULE}` }]);
    if (record.status !== JobStatus.Waiting || !(await queueCall(() => this.control.reprioritize(record.queue, jobId, priority)))) {
      throw invalidState(await this.reads.findRecord(caller, jobId), 'reprioritised', [JobStatus.Waiting]);
    }
    await this.jobs.setPriority(jobId, record.seq, priority);
    return { jobId, priority, queuePosition: await queueCall(() => this.stats.waitingAtOrAbove(record.queue, priority)) };
  }

  /** The record as it is now, after a guarded write found it changed (the caller may act on it). */
  private async recordAfterRace(jobId: string): Promise<JobRecord> {
    const record = await this.jobs.findByIdUnscoped(jobId);
    if (!record) throw new ConveyorError(ErrorCode.JobNotFound, `Job ${jobId} not found`);
    return record;
  }
}

function invalidState(record: JobRecord, action: string, validStates: JobStatus[]): ConveyorError {
  // A job Bull has already taken is "active" even while its record still says "waiting".
  return new ConveyorError(
    ErrorCode.InvalidJobState,
    `Job ${record._id} is ${record.status} and cannot be ${action}; valid states: ${validStates.join(', ')}`,
    {
      details: { status: record.status, validStates },
    },
  );
}

/** Redis errors on a job action are the queue being unavailable (503), not a server fault. */
async function queueCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (cause instanceof ConveyorError) throw cause;
    throw new ConveyorError(ErrorCode.QueueUnavailable, 'The job queue is unavailable; retry later', { cause, retryAfterSeconds: 5 });
  }
}
