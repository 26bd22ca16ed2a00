import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ConveyorError,
  DataCipher,
  ErrorCode,
  JobProgress,
  JobStatus,
  JobTypeRegistry,
  Owner,
  QueueName,
  cancelledError,
  isTerminal,
  ownerKey,
  statusWord,
  validationFailed,
  errorField,
} from '@conveyor/contracts';
import { JobListFilter, JobRecord, JobsRepository, KeysetPage, KeysetPageRequest, openedRecord } from '@conveyor/database';
import { BullProbe, BullState, JOB_TYPE_REGISTRY, queueFailure } from '@conveyor/queueing';
import { Caller } from '@conveyor/http';
import { JobListResponse, JobStatusResponse, ListJobsQuery } from './dto/list-jobs.dto';
import { JobResponse } from './dto/job.response';

/** Bull's states in Conveyor's words ("paused" is a waiting job on a paused queue). */
const FROM_BULL_STATE: Partial<Record<BullState, JobStatus>> = {
  waiting: JobStatus.Waiting,
  paused: JobStatus.Waiting,
  delayed: JobStatus.Delayed,
  active: JobStatus.Active,
  completed: JobStatus.Completed,
  failed: JobStatus.Failed,
};

/**
 * Reads of jobs as their callers may see them: one job (record overlaid with Bull's live state),
 * its status, and the lists. Another caller's job is "not found", never "forbidden".
 */
@Injectable()
export class JobReads {
  private readonly logger = new Logger(JobReads.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly probe: BullProbe,
    private readonly cipher: DataCipher,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
  ) {}

  /**
   * One job as its owner sees it: the MongoDB record, overlaid with Bull's live state and progress
   * while the job is still in Redis. Another caller's job is "not found", never "forbidden".
   */
  async get(caller: Caller, jobId: string): Promise<JobResponse> {
    const record = await this.findRecord(caller, jobId);
    if (isTerminal(record.status)) return this.withPayload(record);
    const live = await this.liveJob(record.queue as QueueName, jobId, record.run ?? 1);
    if (!live) return this.withPayload(record);
    let current = record;
    if (attemptEndedBetween(record, live.view)) {
      // An attempt ended between the two reads. Its outcome (result, error, retry time) is written
      // to the record before Bull moves the job, so a second read of the record holds it.
      current = await this.findRecord(caller, jobId);
      if (isTerminal(current.status)) return this.withPayload(current);
    }
    const opened = openedRecord(this.cipher, current);
    return this.present(
      { ...fromRecord(opened), ...live.view, source: 'queue', data: opened.data },
      { stalled: live.stalled, whole: true },
    );
  }

  /**
   * The compact status model: what a polling client needs and nothing more. Both spellings of the
   * step are there: `currentStep`, and `current_step` as seed 003's clients read it; a job whose
   * type has a status vocabulary also carries that vocabulary's fields (cancelled_at, finished_at,
   * an error as its message).
   */
  async status(caller: Caller, jobId: string): Promise<JobStatusResponse> {
    const job = await this.get(caller, jobId);
    const vocabulary = this.registry.get(job.type)?.statusVocabulary;
    const finished = job.conveyorStatus === JobStatus.Completed;
    const failed = job.conveyorStatus === JobStatus.Failed || (job.conveyorStatus === JobStatus.Cancelled && vocabulary !== undefined);
    return {
      jobId,
      status: job.status,
      conveyorStatus: job.conveyorStatus,
      progress: job.progress.percent,
      currentStep: job.progress.step,
      current_step: job.progress.step,
      ...(finished ? { result: job.result } : {}),
      ...(failed && job.error ? (vocabulary ? { error: job.error.message, error_code: job.error.code } : { error: job.error }) : {}),
      ...(vocabulary
        ? {
            finished_at: job.finishedAt,
            cancelled_at: job.conveyorStatus === JobStatus.Cancelled ? job.finishedAt : null,
          }
        : {}),
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
    const { cursor, limit, page: number, ...filter } = query;
    if (number !== undefined && cursor !== undefined)
      throw validationFailed([{ field: 'page', message: 'page and cursor are two ways to page: send one of them' }]);
    const page = await fetch(filter, { limit, cursor, page: number });
    const items = page.items.map((record) => this.view(record));
    if (number === undefined) return { items, nextCursor: page.nextCursor };
    const total = page.total ?? 0;
    return { items, nextCursor: page.nextCursor, page: number, limit, total, pages: Math.ceil(total / limit) };
  }

  /** The record as the caller reads it in lists: its result opened (sealed at rest, DataCipher). */
  private view(record: JobRecord): JobResponse {
    return this.present(fromRecord(openedRecord(this.cipher, record)));
  }

  /** One job's whole read: the list view, its payload, and seed 004's result envelope where its type has one. */
  private withPayload(record: JobRecord): JobResponse {
    const opened = openedRecord(this.cipher, record);
    return this.present({ ...fromRecord(opened), data: opened.data }, { whole: true });
  }

  /**
   * What every read shows, derived last (after Bull's live state): `status` in the job type's own
   * words (StatusVocabulary; `conveyorStatus` keeps Conveyor's; a vocabulary that folds cancellation
   * into another word also gives the cancelled job its error; else `stalled` for an active job no
   * worker holds), and seed 004's names for what the view says (seedFields; its result envelope
   * in one job's whole read only).
   */
  private present(view: JobResponse, { stalled = false, whole = false } = {}): JobResponse {
    const definition = this.registry.get(view.type);
    const vocabulary = definition?.statusVocabulary;
    const cancelled = view.conveyorStatus === JobStatus.Cancelled ? cancelledError(vocabulary) : undefined;
    const status = stalled && !vocabulary ? STALLED : statusWord(view.conveyorStatus, vocabulary);
    // The envelope repeats the result: one job's read carries it, list pages do not.
    return seedFields({ ...view, status, ...(cancelled ? { error: cancelled } : {}) }, whole && definition?.resultEnvelope === true);
  }

  /** A job the caller may see: their own, or any job for an admin. Otherwise "not found". */
  async findRecord(caller: Caller, jobId: string): Promise<JobRecord> {
    const record = caller.admin ? await this.jobs.findByIdUnscoped(jobId) : await this.jobs.findOwned(ownerKey(caller.owner), jobId);
    if (!record) throw new ConveyorError(ErrorCode.JobNotFound, `Job ${jobId} not found`);
    return record;
  }

  /** Bull's side of a job still in Redis; `stalled`: active, but no worker holds its lock. */
  private async liveJob(
    queue: QueueName,
    jobId: string,
    run: number,
  ): Promise<{ view: Partial<JobResponse>; stalled: boolean } | undefined> {
    try {
      const seen = await this.probe.find(queue, jobId, { run, lock: true });
      if (!seen) return undefined;
      const { job } = seen;
      const state = FROM_BULL_STATE[seen.state];
      const progress = job.progress() as unknown;
      const view: Partial<JobResponse> = {
        ...(state ? { conveyorStatus: state } : {}),
        ...(isProgress(progress) ? { progress } : {}),
        // Failed by Bull itself (past the stall limit): no worker recorded why, so say what Bull says.
        ...(state === JobStatus.Failed ? { error: queueFailure(job.failedReason) } : {}),
        attemptsMade: job.attemptsMade,
      };
      return { view, stalled: seen.state === 'active' && seen.locked === false };
    } catch (error) {
      // Redis being unreachable must not hide a job whose durable record we have.
      this.logger.warn(errorField(error), `Live state of job ${jobId} unavailable`);
      return undefined;
    }
  }
}

/**
 * Whether Bull's side shows an attempt's end that the record read before it did not: the job
 * settled, or Bull counts more ended attempts than the record.
 */
function attemptEndedBetween(record: JobRecord, live: Partial<JobResponse>): boolean {
  if (live.conveyorStatus && isTerminal(live.conveyorStatus)) return true;
  return live.attemptsMade !== undefined && live.attemptsMade > (record.attemptsMade ?? 0);
}

/** Seed 004's status word for an active job whose worker stopped renewing its lock. */
const STALLED = 'stalled';

/**
 * Seed 004's names for what a view already says: `attempts`, `completedAt`, `failedAt`,
 * `processingTime`; for its types (`resultEnvelope`), the completed result also carries
 * `{ success, data, processingTime }`, its own fields kept beside them (a client of today reads on).
 */
export function seedFields(view: JobResponse, resultEnvelope: boolean): JobResponse {
  const ended = isTerminal(view.conveyorStatus) && view.finishedAt !== null;
  const processingTime = ended && view.startedAt ? Math.max(0, Date.parse(view.finishedAt!) - Date.parse(view.startedAt)) : null;
  const completed = view.conveyorStatus === JobStatus.Completed;
  return {
    ...view,
    attempts: view.attemptsMade,
    completedAt: completed ? view.finishedAt : null,
    failedAt: view.conveyorStatus === JobStatus.Failed ? view.finishedAt : null,
    processingTime,
    result: resultEnvelope && completed ? enveloped(view.result, processingTime) : view.result,
  };
}

function enveloped(result: unknown, processingTime: number | null): object {
  const own = typeof result === 'object' && result !== null && !Array.isArray(result) ? result : {};
  return { success: true, data: result, processingTime, ...own };
}

function fromRecord(record: JobRecord): JobResponse {
  return {
    jobId: record._id,
    type: record.type,
    queue: record.queue as QueueName,
    status: record.status,
    conveyorStatus: record.status,
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
    // Derived by seedFields once the view is final.
    attempts: record.attemptsMade,
    completedAt: null,
    failedAt: null,
    processingTime: null,
  };
}

function isProgress(value: unknown): value is JobProgress {
  return typeof value === 'object' && value !== null && typeof (value as JobProgress).percent === 'number';
}
