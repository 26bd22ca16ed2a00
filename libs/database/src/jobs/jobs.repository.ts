import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { JobStatus, TERMINAL_STATUSES, FlowMember } from '@conveyor/contracts';
import mongoose, { Model } from 'mongoose';
import { JobRecord, JobRunSummary } from './job.schema';
import { BatchOutcome, GroupCommit } from '../group-commit';
import { isDatabaseUnavailable } from '../database-unavailable';
import { KeysetOrder, KeysetPage, KeysetPageRequest, findKeysetPage } from '../keyset-pagination';

/**
 * Submits' record inserts share round trips (group commit): one insertMany per batch. Inserts are
 * cheap to batch on both MongoDB and FerretDB (one multi-row INSERT on its PostgreSQL backend),
 * and a few batches in flight keep a slow batch from holding up the rest.
 */
const INSERT_BATCH = 100;
const INSERT_BATCHES_IN_FLIGHT = 2;

/** Fields a transition may set besides status and seq. */
export type TransitionFields = Partial<
  Pick<JobRecord, 'progress' | 'attemptsMade' | 'result' | 'error' | 'runAt' | 'startedAt' | 'finishedAt'>
>;

export interface JobTransition {
  jobId: string;
  /** From transitionSeq(); the write applies only if it is higher than the stored one. */
  seq: number;
  status: JobStatus;
  set?: TransitionFields;
}

export interface ProgressUpdate {
  jobId: string;
  /** The seq of the running attempt; progress of an older or newer attempt is ignored. */
  seq: number;
  progress: JobRecord['progress'];
}

export type JobWrite = { kind: 'transition'; transition: JobTransition } | { kind: 'progress'; update: ProgressUpdate };

/** Filters of a job list; every field is optional and already validated. */
export interface JobListFilter {
  queue?: string;
  type?: string;
  status?: JobStatus;
  createdFrom?: Date;
  createdTo?: Date;
}

/** Job lists are newest first; records submitted in the same millisecond, by id. */
const NEWEST_FIRST: KeysetOrder<JobRecord> = { field: 'createdAt', direction: 'descending' };

/**
 * The only way to read or change `jobs` records. Reads take the caller's owner key, so "not yours"
 * cannot be forgotten; status changes go through the transition guard in the query itself.
 */
/** What the flow reads and cancelling need of a flow's job. */
export type FlowMemberRecord = Pick<
  JobRecord,
  '_id' | 'ownerKey' | 'type' | 'queue' | 'status' | 'run' | 'progress' | 'callback' | 'flow' | 'createdAt'
>;

/** A job of a flow as the flow tree reads it (flowTree): the tree route, job reads and flow ends. */
export function flowMemberOf(r: FlowMemberRecord): FlowMember {
  return {
    jobId: r._id,
    type: r.type,
    queue: r.queue,
    status: r.status,
    percent: r.progress?.percent ?? 0,
    flow: r.flow ?? null,
    createdAt: r.createdAt,
  };
}
const FLOW_MEMBER_FIELDS = { _id: 1, ownerKey: 1, type: 1, queue: 1, status: 1, run: 1, progress: 1, callback: 1, flow: 1, createdAt: 1 };

@Injectable()
export class JobsRepository {
  private readonly inserts = new GroupCommit<JobRecord>((records) => this.insertBatch(records), INSERT_BATCH, INSERT_BATCHES_IN_FLIGHT);

  constructor(@InjectModel(JobRecord.name) private readonly model: Model<JobRecord>) {}

  /** Resolves once indexes exist; call in tests so index errors surface (DESIGN §2). */
  async ensureIndexes(): Promise<void> {
    await this.model.init();
  }

  /** A new job's record, durable when this resolves; concurrent inserts share a round trip. */
  insert(record: JobRecord): Promise<void> {
    return this.inserts.write(record);
  }

  async findOwned(ownerKey: string, jobId: string): Promise<JobRecord | null> {
    // Looked up by _id alone, owner compared here: FerretDB v1 uses the _id index only when the
    // filter is _id alone and scans the collection otherwise (DESIGN §2); on MongoDB it is the same.
    if (typeof ownerKey !== 'string') throw new TypeError('ownerKey must be a string');
    const record = await this.model.findById(jobId).lean<JobRecord>().exec();
    return record?.ownerKey === ownerKey ? record : null;
  }

  /** Records of a bulk submission, in one round trip: a plain driver insert, as insertBatch's. */
  async insertMany(records: JobRecord[]): Promise<void> {
    const collection = this.model.collection;
    await collection.insertMany(records as unknown as Parameters<typeof collection.insertMany>[0], { ordered: true });
  }

  /**
   * One batch of new records as a plain driver insert: newJobRecord builds complete, typed
   * records, so Mongoose's document building and validation would add only CPU. Unordered, so one
   * refused record (a duplicate id) fails alone. A batch that fails whole for another reason than
   * an outage (a record the driver cannot serialise, a value the server refuses) may have been
   * partly applied: the records found stored as sent count as inserted, the rest are tried one by
   * one, so one bad submit never fails the others it shared a round trip with.
   */
  private async insertBatch(records: JobRecord[]): Promise<BatchOutcome> {
    const collection = this.model.collection;
    try {
      await collection.insertMany(records as unknown as Parameters<typeof collection.insertMany>[0], { ordered: false });
      return records.map(() => undefined);
    } catch (error) {
      const refused = (error as { writeErrors?: Array<{ index: number; code?: number; errmsg?: string }> }).writeErrors;
      if (Array.isArray(refused) && refused.length > 0) {
        const outcome: BatchOutcome = records.map(() => undefined);
        for (const w of refused)
          outcome[w.index] = Object.assign(new Error(w.errmsg ?? 'insert refused', { cause: error }), { code: w.code });
        return outcome;
      }
      if (records.length === 1 || isDatabaseUnavailable(error)) throw error;
      return this.insertOneByOne(records);
    }
  }

  private async insertOneByOne(records: JobRecord[]): Promise<BatchOutcome> {
    const collection = this.model.collection;
    const stored = await collection
      .find({ _id: { $in: records.map((r) => r._id) } } as object, { projection: { ownerKey: 1, createdAt: 1 } })
      .toArray();
    const ours = (r: JobRecord) =>
      stored.some(
        (d) => d._id === (r._id as unknown) && d.ownerKey === r.ownerKey && (d.createdAt as Date)?.getTime() === r.createdAt.getTime(),
      );
    return Promise.all(
      records.map((record) =>
        ours(record)
          ? undefined
          : collection.insertOne(record as unknown as Parameters<typeof collection.insertOne>[0]).then(
              () => undefined,
              (alone: unknown) => alone,
            ),
      ),
    );
  }

  /**
   * Undo inserts whose enqueue failed, so no record claims a job Bull never had. Returns the ids
   * whose records a worker has already moved on (so their jobs did reach Bull): those stay.
   */
  async deleteUnqueued(jobIds: string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    await this.model.deleteMany({ _id: mongoose.trusted({ $in: jobIds }), seq: mongoose.trusted({ $lte: 4 }) }).exec();
    const kept = await this.model
      .find({ _id: mongoose.trusted({ $in: jobIds }) }, { _id: 1 })
      .lean()
      .exec();
    return kept.map((record) => record._id);
  }

  /** Applies a transition if it moves the record forward; returns whether it did. */
  async transition(t: JobTransition): Promise<boolean> {
    const op = transitionOp(t, new Date());
    const result = await this.model.updateOne(op.updateOne.filter, op.updateOne.update).exec();
    return result.modifiedCount === 1;
  }

  async recordProgress(u: ProgressUpdate): Promise<boolean> {
    const op = progressOp(u, new Date());
    const result = await this.model.updateOne(op.updateOne.filter, op.updateOne.update).exec();
    return result.modifiedCount === 1;
  }

  /**
   * Several writes in one round trip, applied in order (ordered bulkWrite). Sent by the driver
   * itself: the operations are ours and fully typed, and Mongoose's casting of every filter and
   * update was most of the worker's CPU per job.
   */
  async applyInOrder(writes: readonly JobWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const now = new Date();
    const ops = writes.map((w) => (w.kind === 'transition' ? transitionOp(w.transition, now) : progressOp(w.update, now)));
    await this.model.collection.bulkWrite(ops as unknown as Parameters<typeof this.model.collection.bulkWrite>[0], { ordered: true });
  }

  /**
   * Starts the next run of a failed or cancelled job, keeping a summary of the finished one.
   * Applies only if the record is still exactly as read (`seq`), so two retries cannot both win.
   * `data` replaces the payload (a dead letter requeued with edited data).
   */
  async startNewRun(record: JobRecord, newSeq: number, data?: unknown): Promise<boolean> {
    const finished: JobRunSummary = {
      run: record.run,
      status: record.status,
      attemptsMade: record.attemptsMade,
      // Message and code only: a history of stacks would grow the record with every retry.
      error: record.error ? { message: record.error.message, code: record.error.code } : null,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
    };
    const result = await this.model
      .updateOne(
        { _id: record._id, seq: record.seq, status: mongoose.trusted({ $in: [JobStatus.Failed, JobStatus.Cancelled] }) },
        {
          $set: {
            status: JobStatus.Waiting,
            seq: newSeq,
            run: record.run + 1,
            attemptsMade: 0,
            progress: { percent: 0, step: null },
            result: null,
            error: null,
            runAt: null,
            startedAt: null,
            finishedAt: null,
            dismissed: null,
            ...(data !== undefined ? { data } : {}),
            updatedAt: new Date(),
          },
          $push: { history: finished },
        },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Records a waiting job's new priority, if it is still waiting at the same seq. */
  async setPriority(jobId: string, seq: number, priority: number): Promise<boolean> {
    const result = await this.model
      .updateOne({ _id: jobId, seq, status: JobStatus.Waiting }, { $set: { priority, updatedAt: new Date() } })
      .exec();
    return result.modifiedCount === 1;
  }

  /** One page of one caller's jobs, newest first. */
  async listOwned(ownerKey: string, filter: JobListFilter, page: KeysetPageRequest): Promise<KeysetPage<JobRecord>> {
    if (typeof ownerKey !== 'string') throw new TypeError('ownerKey must be a string');
    return this.list({ ownerKey }, filter, page);
  }

  /** One page of every caller's jobs: for admin routes only (the route must check the caller is an admin). */
  async listAsAdmin(filter: JobListFilter, page: KeysetPageRequest): Promise<KeysetPage<JobRecord>> {
    return this.list({}, filter, page);
  }

  /** A record whatever its owner: for admin routes, sweeps and tests only. */
  async findByIdUnscoped(jobId: string): Promise<JobRecord | null> {
    return this.model.findById(jobId).lean<JobRecord>().exec();
  }

  /** Several records by id, any owner (a continuation reads the children it follows). */
  async findManyUnscoped(jobIds: readonly string[]): Promise<JobRecord[]> {
    if (jobIds.length === 0) return [];
    return this.model
      .find({ _id: mongoose.trusted({ $in: [...jobIds] }) })
      .lean<JobRecord[]>()
      .exec();
  }

  /** The statuses of several jobs (a fan-in counting its ended children), nothing else read. */
  async statusesOf(jobIds: readonly string[]): Promise<Array<Pick<JobRecord, '_id' | 'status'>>> {
    if (jobIds.length === 0) return [];
    return this.model
      .find({ _id: mongoose.trusted({ $in: [...jobIds] }) }, { _id: 1, status: 1 })
      .lean<Array<Pick<JobRecord, '_id' | 'status'>>>()
      .exec();
  }

  /** Every job a flow started (not its root), without payloads, results or history: the tree and cancelling. */
  async flowDescendants(rootId: string): Promise<FlowMemberRecord[]> {
    return this.model.find({ 'flow.rootId': rootId }, FLOW_MEMBER_FIELDS).lean<FlowMemberRecord[]>().exec();
  }

  private async list(scope: { ownerKey?: string }, filter: JobListFilter, page: KeysetPageRequest): Promise<KeysetPage<JobRecord>> {
    const query: Record<string, unknown> = { ...scope };
    if (filter.queue !== undefined) query.queue = filter.queue;
    if (filter.type !== undefined) query.type = filter.type;
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.createdFrom || filter.createdTo) {
      query.createdAt = mongoose.trusted({
        ...(filter.createdFrom ? { $gte: filter.createdFrom } : {}),
        ...(filter.createdTo ? { $lte: filter.createdTo } : {}),
      });
    }
    return findKeysetPage(this.model, { filter: query, order: NEWEST_FIRST }, page);
  }
}

// Filters use mongoose.trusted() because sanitizeFilter is on globally: operators are allowed only
// where our own code writes them, never from client input (RELIABILITY §3).

/**
 * The transition guard, the one copy of the rule: a write applies only to a record whose seq is
 * below its own and whose status is not terminal. In the filter, so the server applies it
 * (test/medium/jobs.repository.medium-spec.ts).
 */
function transitionOp(t: JobTransition, now: Date) {
  return {
    updateOne: {
      filter: { _id: t.jobId, seq: mongoose.trusted({ $lt: t.seq }), status: mongoose.trusted({ $nin: TERMINAL_STATUSES }) },
      update: { $set: { ...t.set, status: t.status, seq: t.seq, updatedAt: now } },
    },
  };
}

function progressOp(u: ProgressUpdate, now: Date) {
  return {
    updateOne: {
      filter: { _id: u.jobId, seq: u.seq, status: JobStatus.Active },
      update: { $set: { progress: u.progress, updatedAt: now } },
    },
  };
}
