import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { JobStatus } from '@conveyor/contracts';
import mongoose, { Model } from 'mongoose';
import { JobRecord } from './job.schema';

/** Statuses that claim Bull still holds the job: the ones the reconciliation sweep checks. */
export const UNSETTLED_STATUSES: readonly JobStatus[] = [JobStatus.Waiting, JobStatus.Delayed, JobStatus.Active];

/** What the sweep reads of a record: no payload, result or history, which may be large. */
export type UnsettledRecord = Pick<
  JobRecord,
  '_id' | 'ownerKey' | 'type' | 'queue' | 'status' | 'seq' | 'run' | 'attemptsMade' | 'progress' | 'callback' | 'updatedAt'
>;

export interface UnsettledBatchQuery {
  /** Only records last written before this (a submit or retry in flight is not touched). */
  updatedBefore: Date;
  /** Continue after this record (keyset: updatedAt, then _id). */
  after?: { updatedAt: Date; jobId: string };
  limit: number;
}

/**
 * The worker's reconciliation sweep's reads of `jobs`, across every owner: for the sweep only.
 * Writes go through JobsRepository's guarded transitions like every other status change.
 */
@Injectable()
export class JobSweepRepository {
  constructor(@InjectModel(JobRecord.name) private readonly model: Model<JobRecord>) {}

  /**
   * One batch of records that say waiting, delayed or active, oldest update first. On FerretDB each
   * call scans the collection (DESIGN §2), so the sweep reads a bounded number of batches per run.
   */
  async unsettledBatch({ updatedBefore, after, limit }: UnsettledBatchQuery): Promise<UnsettledRecord[]> {
    const query = {
      status: mongoose.trusted({ $in: UNSETTLED_STATUSES }),
      updatedAt: mongoose.trusted({ $lt: updatedBefore }),
    };
    let filterDoc: object = query;
    if (after) {
      const afterCursor = {
        $or: [
          { updatedAt: mongoose.trusted({ $gt: after.updatedAt }) },
          { updatedAt: after.updatedAt, _id: mongoose.trusted({ $gt: after.jobId }) },
        ],
      };
      filterDoc = { $and: [query, afterCursor] };
    }
    return this.model
      .find(filterDoc)
      .select({
        _id: 1,
        ownerKey: 1,
        type: 1,
        queue: 1,
        status: 1,
        seq: 1,
        run: 1,
        attemptsMade: 1,
        progress: 1,
        callback: 1,
        updatedAt: 1,
      })
      .sort({ updatedAt: 1, _id: 1 })
      .limit(limit)
      .lean<UnsettledRecord[]>()
      .exec();
  }
}
