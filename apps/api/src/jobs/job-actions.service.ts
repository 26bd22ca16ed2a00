import { Inject, Injectable } from '@nestjs/common';
import {
  ConveyorError,
  DataCipher,
  ErrorCode,
  JobStatus,
  JobTypeRegistry,
  PRIORITY_RULE,
  PriorityInput,
  isTerminal,
  resolvePriority,
  validationFailed,
} from '@conveyor/contracts';
import { FanOutsRepository, JobRecord, JobsRepository } from '@conveyor/database';
import {
  FlowCancellation,
  FlowRetry,
  JOB_TYPE_REGISTRY,
  JobControl,
  QueueStats,
  RunCancellation,
  RunRestart,
  queueCall,
} from '@conveyor/queueing';
import { Caller } from '@conveyor/http';
import { CancelJobResponse, ChangePriorityResponse, RetryJobResponse } from './dto/job-control.dto';
import { JobReads } from './job-reads.service';

const CANCELLABLE = [JobStatus.Waiting, JobStatus.Delayed, JobStatus.Active];

/** What a caller may do to a job's run: cancel it, retry it, re-prioritise it; dead letters' requeue shares runAgain. */
@Injectable()
export class JobActions {
  constructor(
    private readonly reads: JobReads,
    private readonly jobs: JobsRepository,
    private readonly control: JobControl,
    private readonly stats: QueueStats,
    private readonly runs: RunCancellation,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly cipher: DataCipher,
    private readonly restart: RunRestart,
    private readonly flows: FlowCancellation,
    private readonly flowRetry: FlowRetry,
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
    const outcome = await queueCall(() => this.runs.cancel(record, 'Cancelled before a worker took it; start it again to re-run'));
    if (outcome === 'cancelling') return { cancelled: true, status: 'cancelling' };
    if (outcome === 'cancelled') return { cancelled: true, status: JobStatus.Cancelled };
    // It finished otherwise since the record was read: the record now says how.
    throw invalidState(await this.reads.findRecord(caller, record._id), 'cancelled', CANCELLABLE);
  }

  /** A failed or cancelled job runs again from its first attempt; the finished run is kept in its history. */
  async retry(caller: Caller, jobId: string): Promise<RetryJobResponse> {
    const record = await this.reads.findRecord(caller, jobId);
    if ((await this.fanOuts.ofParent(jobId)).length === 0) return this.runAgain(record);
    // A job that fanned out: what failed under it runs again (not what completed), and the job
    // itself if it failed; its new run fans out to the same children, finding them done or re-run.
    this.checkRunnableAgain(record);
    const ownRun = record.status === JobStatus.Failed || record.status === JobStatus.Cancelled;
    // The job's own run first: if it cannot start (its run limit, its worker still settling it), nothing under it is touched.
    const own = ownRun ? await this.runAgain(record, undefined, true) : undefined;
    const flow = await this.flowRetry.retryUnder(record);
    if (own) return { ...own, descendantsRetried: flow.rerun };
    if (flow.rerun === 0 && flow.reopened === 0) {
      throw new ConveyorError(ErrorCode.InvalidJobState, `Job ${jobId} ${record.status}, and nothing under it failed or was cancelled`, {
        details: { status: record.status },
      });
    }
    return { jobId, status: this.registry.statusWord(record.type, record.status), run: record.run, descendantsRetried: flow.rerun };
  }

  /**
   * Starts the next run of a failed or cancelled job: a retry, or a dead letter's requeue. `data`,
   * when given, is the new payload (validated by the caller like a submission); the record keeps
   * it. The caller has already checked that it may act on `record`.
   */
  async runAgain(record: JobRecord, newPayload?: object, flowRetried = false): Promise<RetryJobResponse> {
    const jobId = record._id;
    // A new payload is stored sealed, like a submission's (DataCipher).
    const data = newPayload === undefined ? undefined : this.cipher.sealNew(newPayload, jobId);
    this.checkRunnableAgain(record);
    if (record.status !== JobStatus.Failed && record.status !== JobStatus.Cancelled) {
      throw invalidState(record, 'retried', [JobStatus.Failed, JobStatus.Cancelled]);
    }
    // A new run fans out to the same children (their ids derive from the job): only the retry route
    // runs such a job again, after re-running what failed under it (a requeue with new data could not).
    if (!flowRetried && (await this.fanOuts.ofParent(jobId)).length > 0) {
      throw new ConveyorError(
        ErrorCode.InvalidJobState,
        `Job ${jobId} started a flow: run it again with POST /api/v1/jobs/${jobId}/retry, which re-runs what failed under it`,
        { details: { status: record.status } },
      );
    }
    const run = await this.restart.start(record, data);
    if (typeof run !== 'number') throw invalidState(run.record ?? record, 'retried', [JobStatus.Failed, JobStatus.Cancelled]);
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
