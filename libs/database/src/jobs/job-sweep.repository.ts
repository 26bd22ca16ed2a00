import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { JobStatus } from '@conveyor/contracts';
import mongoose, { Model } from 'mongoose';
import { JobRecord } from './job.schema';
import { KeysetOrder, KeysetPage, KeysetPageRequest, findKeysetPage } from '../keyset-pagination';

/** Statuses that claim Bull still holds the job: the ones the reconciliation sweep checks. */
export const UNSETTLED_STATUSES: readonly JobStatus[] = [JobStatus.Waiting, JobStatus.Delayed, JobStatus.Active];

/** What the sweep reads of a record: no payload, result or history, which may be large. */
export type UnsettledRecord = Pick<
  JobRecord,
  '_id' | 'ownerKey' | 'type' | 'queue' | 'status' | 'seq' | 'run' | 'attemptsMade' | 'progress' | 'callback' | 'updatedAt' | 'flow'
>;

export interface UnsettledBatchQuery extends KeysetPageRequest {
  /** Only records last written before this (a submit or retry in flight is not touched). */
  updatedBefore: Date;
}

/** Oldest update first; written in the same millisecond, by id. */
const OLDEST_UPDATE_FIRST: KeysetOrder<UnsettledRecord> = { field: 'updatedAt', direction: 'ascending' };

/** What the sweep reads of a record: see UnsettledRecord. */
const UNSETTLED_FIELDS = {
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
  flow: 1,
} as const;

/**
 * The worker's reconciliation sweep's reads of `jobs`, across every owner: for the sweep only.
 * Writes go through JobsRepository's guarded transitions like every other status change.
 */
@Injectable()
export class JobSweepRepository {
  constructor(@InjectModel(JobRecord.name) private readonly model: Model<JobRecord>) {}

  /**
   * One batch of records that say waiting, delayed or active, oldest update first, after the
   * previous batch's cursor. On FerretDB each call scans the collection (DESIGN §2), so the sweep
   * reads a bounded number of batches per run.
   */
  async unsettledBatch({ updatedBefore, ...page }: UnsettledBatchQuery): Promise<KeysetPage<UnsettledRecord>> {
    const filter = {
      status: mongoose.trusted({ $in: UNSETTLED_STATUSES }),
      updatedAt: mongoose.trusted({ $lt: updatedBefore }),
    };
    return findKeysetPage(this.model, { filter, order: OLDEST_UPDATE_FIRST, projection: UNSETTLED_FIELDS }, page);
  }
}
