import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { JobStatus } from '@conveyor/contracts';
import { Model } from 'mongoose';
import { JobRecord } from './job.schema';
import { KeysetOrder, KeysetPage, KeysetPageRequest, findKeysetPage } from '../keyset-pagination';

/** Filters of the dead-letter list; each is optional and already validated. */
export interface DeadLetterFilter {
  queue?: string;
  type?: string;
}

/** Most recently failed first (see listAsAdmin); failed in the same millisecond, by id. */
const MOST_RECENTLY_FAILED_FIRST: KeysetOrder<JobRecord> = { field: 'updatedAt', direction: 'descending' };

/**
 * Dead letters are the failed job records no operator has dismissed: the record already holds the
 * error, attempts and payload, so there is no collection of their own. Every method here ignores
 * owners and is for admin routes only (the route must check the caller is an admin).
 */
@Injectable()
export class DeadLettersRepository {
  constructor(@InjectModel(JobRecord.name) private readonly model: Model<JobRecord>) {}

  /**
   * One page of every caller's dead letters, most recently failed first. A failed record is
   * written again only when it is dismissed or run again, both of which take it off the list, so
   * its `updatedAt` is the time it failed and a stable sort key.
   */
  async listAsAdmin(filter: DeadLetterFilter, page: KeysetPageRequest): Promise<KeysetPage<JobRecord>> {
    // `dismissed: null` also matches records written before the field existed (MongoDB and FerretDB).
    const query: Record<string, unknown> = { status: JobStatus.Failed, dismissed: null };
    if (filter.queue !== undefined) query.queue = filter.queue;
    if (filter.type !== undefined) query.type = filter.type;
    return findKeysetPage(this.model, { filter: query, order: MOST_RECENTLY_FAILED_FIRST }, page);
  }

  /** One dead letter whoever owns it, or null if the job is not (or no longer) one. */
  async findAsAdmin(jobId: string): Promise<JobRecord | null> {
    // By _id alone, the rest compared here: FerretDB uses its _id index only for such filters (DESIGN §2).
    const record = await this.model.findById(jobId).lean<JobRecord>().exec();
    return record && isDeadLetter(record) ? record : null;
  }

  /**
   * Takes a failed run off the list, if the record is still exactly as read (a requeue that won the
   * race has moved `seq` on). The record itself stays, failed, for its owner.
   */
  async dismiss(record: JobRecord, by: string, at = new Date()): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { _id: record._id, seq: record.seq, status: JobStatus.Failed, dismissed: null },
        { $set: { dismissed: { at, by }, updatedAt: at } },
      )
      .exec();
    return result.modifiedCount === 1;
  }
}

/** A failed run nobody dismissed. */
export function isDeadLetter(record: Pick<JobRecord, 'status' | 'dismissed'>): boolean {
  return record.status === JobStatus.Failed && !record.dismissed;
}
