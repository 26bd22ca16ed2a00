import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ConveyorError,
  ErrorCode,
  JobProgress,
  JobStatus,
  JobTypeRegistry,
  Owner,
  PriorityInput,
  QueueName,
  TransitionPhase,
  isTerminal,
  ownerKey,
  resolvePriority,
  transitionSeq,
  runClosingSeq,
  STRICT_VALIDATION,
  flattenValidationErrors,
  validationFailed,
} from '@conveyor/contracts';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { JobListFilter, JobRecord, JobsRepository, KeysetPage, KeysetPageRequest } from '@conveyor/database';
import {
  BullProbe,
  BullState,
  JOB_TYPE_REGISTRY,
  JobControl,
  JobProducer,
  QueueRegistry,
  QueueStats,
  RunSettlement,
  SubmittedJob,
} from '@conveyor/queueing';
import { Caller, JsonProblem, jsonProblemError } from '@conveyor/http';
import { CancelJobResponse, ChangePriorityResponse, RetryJobResponse } from './dto/job-control.dto';
import { JobListResponse, JobStatusResponse, ListJobsQuery } from './dto/list-jobs.dto';
import { BulkSubmitResponse, JobPlanResponse, JobResponse } from './dto/job.response';
import { SubmitJobRequest } from './dto/submit-job.request';

/** Bull's states in Conveyor's words ("paused" is a waiting job on a paused queue). */
const FROM_BULL_STATE: Partial<Record<BullState, JobStatus>> = {
  waiting: JobStatus.Waiting,
  paused: JobStatus.Waiting,
  delayed: JobStatus.Delayed,
  active: JobStatus.Active,
  completed: JobStatus.Completed,
  failed: JobStatus.Failed,
};

/** Runs one job may have (1 + retries): each keeps a history entry in the record. */
export const MAX_RUNS = 20;
const CANCELLABLE = [JobStatus.Waiting, JobStatus.Delayed, JobStatus.Active];

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly producer: JobProducer,
    private readonly jobs: JobsRepository,
    private readonly queues: QueueRegistry,
    private readonly probe: BullProbe,
    private readonly control: JobControl,
    private readonly stats: QueueStats,
    private readonly settlement: RunSettlement,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
  ) {}

  submit(caller: Caller, request: SubmitJobRequest): Promise<SubmittedJob> {
    return this.producer.submit(caller.owner, request);
  }

  /** `?dryRun=true`: everything a submit checks, and how the job would run, without enqueuing it. */
  async plan(caller: Caller, request: SubmitJobRequest): Promise<JobPlanResponse> {
    return { dryRun: true, ...(await this.producer.plan(caller.owner, request)) };
  }

  /**
   * Up to MAX_BULK_JOBS submissions; each item is validated alone and answered alone. `refused`:
   * the items the request-body policy set aside (by index), answered with their problem.
   */
  async submitBulk(caller: Caller, items: unknown[], refused: ReadonlyMap<number, JsonProblem> = new Map()): Promise<BulkSubmitResponse> {
    const inputs = await Promise.all(
      items.map((item, index) => {
        const problem = refused.get(index);
        return problem ? jsonProblemError(problem) : validateSubmission(item, `jobs[${index}]`);
      }),
    );
    const outcomes = await this.producer.submitMany(caller.owner, inputs);
    const accepted = outcomes.filter((o) => 'job' in o).length;
    return {
      accepted,
      rejected: outcomes.length - accepted,
      items: outcomes.map((o) =>
        'job' in o
          ? { index: o.index, job: o.job }
          : {
              index: o.index,
              error: {
                error_code: o.error.code,
                detail: o.error.message,
                ...(o.error.extras.fields ? { errors: o.error.extras.fields } : {}),
              },
            },
      ),
    };
  }

  /**
   * One job as its owner sees it: the MongoDB record, overlaid with Bull's live state and progress
   * while the job is still in Redis. Another caller's job is "not found", never "forbidden".
   */
  async get(caller: Caller, jobId: string): Promise<JobResponse> {
    const record = await this.findRecord(caller, jobId);
    if (isTerminal(record.status)) return fromRecord(record);
    const live = await this.liveJob(record.queue as QueueName, jobId, record.run ?? 1);
    if (!live) return fromRecord(record);
    if (live.status && isTerminal(live.status)) {
      // The job finished between the two reads. Its outcome is written to the record before Bull
      // marks it finished, so the record now holds the result or error.
      const settled = await this.findRecord(caller, jobId);
      if (isTerminal(settled.status)) return fromRecord(settled);
    }
    return { ...fromRecord(record), ...live, source: 'queue' };
  }

  /**
   * Waiting or delayed: removed from the queue and recorded as cancelled at once. Active: the
   * worker is asked to stop it (at its next step boundary, or sooner where the step takes the
   * abort signal); it records the cancellation and never retries the job.
   */
  async cancel(caller: Caller, jobId: string): Promise<CancelJobResponse> {
    const record = await this.findRecord(caller, jobId);
    if (isTerminal(record.status)) throw invalidState(record, 'cancelled', CANCELLABLE);
    const outcome = await queueCall(() => this.control.removeIfQueued(record.queue, jobId));
    if (outcome === 'running') {
      await queueCall(() => this.control.requestCancel(record.queue, jobId));
      return { cancelled: true, status: 'cancelling' };
    }
    if (outcome === 'finished') {
      // Bull finished it since the record was read; the record now says how.
      throw invalidState(await this.findRecord(caller, jobId), 'cancelled', CANCELLABLE);
    }
    // Removed (or already gone from Redis): no worker holds the job, so the API records it, with
    // a seq above any attempt's (a retry may have been scheduled since the record was read).
    const recorded = await this.settlement.settle({
      record,
      status: JobStatus.Cancelled,
      set: { finishedAt: new Date() },
      message: 'Cancelled before a worker took it; start it again to re-run',
    });
    if (!recorded) throw invalidState(await this.findRecord(caller, jobId), 'cancelled', CANCELLABLE);
    return { cancelled: true, status: JobStatus.Cancelled };
  }

  /** A failed or cancelled job runs again from its first attempt; the finished run is kept in its history. */
  async retry(caller: Caller, jobId: string): Promise<RetryJobResponse> {
    return this.runAgain(await this.findRecord(caller, jobId));
  }

  /**
   * Starts the next run of a failed or cancelled job: a retry, or a dead letter's requeue. `data`,
   * when given, is the new payload (validated by the caller like a submission); the record keeps
   * it. The caller has already checked that it may act on `record`.
   */
  async runAgain(record: JobRecord, data?: object): Promise<RetryJobResponse> {
    const jobId = record._id;
    this.checkRunnableAgain(record);
    if (record.status !== JobStatus.Failed && record.status !== JobStatus.Cancelled) {
      throw invalidState(record, 'retried', [JobStatus.Failed, JobStatus.Cancelled]);
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
    if (!(await this.jobs.startNewRun(record, transitionSeq(1, TransitionPhase.Queued, run), data))) {
      throw invalidState(await this.recordAfterRace(jobId), 'retried', [JobStatus.Failed, JobStatus.Cancelled]);
    }
    try {
      await this.control.enqueueRun(data === undefined ? record : { ...record, data }, run);
    } catch (cause) {
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
    return { jobId, status: JobStatus.Waiting, run };
  }

  /**
   * A type a product starts itself (`startedBy`) never gets a new run here, whatever its state: it
   * would skip the product's own rules (for example one run per entry, claimed before it is
   * enqueued), so the answer names the product's route instead.
   */
  checkRunnableAgain(record: JobRecord): void {
    const startedBy = this.registry.get(record.type)?.startedBy;
    if (!startedBy) return;
    throw new ConveyorError(
      ErrorCode.InvalidJobState,
      `Job ${record._id} is a ${record.type} run, which its product starts; run it again with ${startedBy}`,
      { details: { status: record.status, type: record.type, startedBy } },
    );
  }

  /** Moves a waiting job to another priority; it goes behind the jobs already waiting at that priority. */
  async changePriority(caller: Caller, jobId: string, input: PriorityInput): Promise<ChangePriorityResponse> {
    const priority = resolvePriority(input)!; // validated by ChangePriorityRequest
    const record = await this.findRecord(caller, jobId);
    if (record.status !== JobStatus.Waiting || !(await queueCall(() => this.control.reprioritize(record.queue, jobId, priority)))) {
      throw invalidState(await this.findRecord(caller, jobId), 'reprioritised', [JobStatus.Waiting]);
    }
    await this.jobs.setPriority(jobId, record.seq, priority);
    return { jobId, priority, queuePosition: await queueCall(() => this.stats.waitingAtOrAbove(record.queue, priority)) };
  }

  /** The compact status model: what a polling client needs and nothing more. */
  async status(caller: Caller, jobId: string): Promise<JobStatusResponse> {
    const job = await this.get(caller, jobId);
    return {
      jobId,
      status: job.status,
      progress: job.progress.percent,
      currentStep: job.progress.step,
      ...(job.status === JobStatus.Completed ? { result: job.result } : {}),
      ...(job.status === JobStatus.Failed && job.error ? { error: job.error } : {}),
    };
  }

  /** The caller's jobs, newest first; an admin sees every caller's. From the records alone. */
  async list(caller: Caller, query: ListJobsQuery): Promise<JobListResponse> {
    return this.page(query, (filter, page) =>
      caller.admin ? this.jobs.listAsAdmin(filter, page) : this.jobs.listOwned(ownerKey(caller.owner), filter, page),
    );
  }

  /** One user's jobs: for that user or an admin. */
  async listForUser(caller: Caller, userId: string, query: ListJobsQuery): Promise<JobListResponse> {
    const self = caller.owner.kind === 'user' && caller.owner.id === userId;
    if (!self && !caller.admin)
      throw new ConveyorError(ErrorCode.Forbidden, 'Only the user themself or an administrator may list these jobs');
    const owner: Owner = { kind: 'user', id: userId };
    return this.page(query, (filter, page) => this.jobs.listOwned(ownerKey(owner), filter, page));
  }

  private async page(
    query: ListJobsQuery,
    fetch: (filter: JobListFilter, page: KeysetPageRequest) => Promise<KeysetPage<JobRecord>>,
  ): Promise<JobListResponse> {
    const { cursor, limit, ...filter } = query;
    const page = await fetch(filter, { limit, cursor });
    return { items: page.items.map(fromRecord), nextCursor: page.nextCursor };
  }

  /** The record as it is now, after a guarded write found it changed (the caller may act on it). */
  private async recordAfterRace(jobId: string): Promise<JobRecord> {
    const record = await this.jobs.findByIdUnscoped(jobId);
    if (!record) throw new ConveyorError(ErrorCode.JobNotFound, `Job ${jobId} not found`);
    return record;
  }

  /** A job the caller may see: their own, or any job for an admin. Otherwise "not found". */
  private async findRecord(caller: Caller, jobId: string): Promise<JobRecord> {
    const record = caller.admin ? await this.jobs.findByIdUnscoped(jobId) : await this.jobs.findOwned(ownerKey(caller.owner), jobId);
    if (!record) throw new ConveyorError(ErrorCode.JobNotFound, `Job ${jobId} not found`);
    return record;
  }

  private async liveJob(queue: QueueName, jobId: string, run: number): Promise<Partial<JobResponse> | undefined> {
    try {
      const seen = await this.probe.find(queue, jobId, { run });
      if (!seen) return undefined;
      const { job } = seen;
      const state = FROM_BULL_STATE[seen.state];
      const progress = job.progress() as unknown;
      return {
        ...(state ? { status: state } : {}),
        ...(isProgress(progress) ? { progress } : {}),
        attemptsMade: job.attemptsMade,
      };
    } catch (error) {
      // Redis being unreachable must not hide a job whose durable record we have.
      this.logger.warn(`Live state of job ${jobId} unavailable: ${error instanceof Error ? error.message : error}`);
      return undefined;
    }
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

function fromRecord(record: JobRecord): JobResponse {
  return {
    jobId: record._id,
    type: record.type,
    queue: record.queue as QueueName,
    status: record.status,
    priority: record.priority,
    progress: { percent: record.progress?.percent ?? 0, step: record.progress?.step ?? null },
    attemptsMade: record.attemptsMade,
    maxAttempts: record.options.attempts,
    run: record.run ?? 1,
    result: record.result ?? null,
    error: record.error ? { message: record.error.message, code: record.error.code } : null,
    createdAt: record.createdAt.toISOString(),
    startedAt: record.startedAt?.toISOString() ?? null,
    finishedAt: record.finishedAt?.toISOString() ?? null,
    runAt: record.runAt?.toISOString() ?? null,
    source: 'record',
  };
}

function isProgress(value: unknown): value is JobProgress {
  return typeof value === 'object' && value !== null && typeof (value as JobProgress).percent === 'number';
}

/** One bulk item through the same rules as a single submission's body; errors name the item. */
async function validateSubmission(item: unknown, field: string): Promise<SubmitJobRequest | ConveyorError> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return validationFailed([{ field, message: `${field} must be a job object { type, data, options? }` }]);
  }
  const request = plainToInstance(SubmitJobRequest, item);
  const errors = await validate(request, STRICT_VALIDATION);
  return errors.length > 0 ? validationFailed(flattenValidationErrors(errors, field)) : request;
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
