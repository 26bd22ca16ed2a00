import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { JobStatus } from '@conveyor/contracts';
import mongoose, { Model } from 'mongoose';
import { JobRecord } from './job.schema';

/** Filters of the dead-letter list; each is optional and already validated. */
export interface DeadLetterFilter {
  queue?: string;
  type?: string;
}

/** Keyset pagination, most recently failed first: `after` is the last dead letter of the previous page. */
export interface DeadLetterPage {
  limit: number;
  after?: { updatedAt: Date; jobId: string };
}

/**
 * Dead letters are the failed job records no operator has dismissed: the record already holds the
 * error, attempts and payload, so there is no collection of their own. Every method here ignores
 * owners and is for admin routes only (the route must check the caller is an admin).
 */
@Injectable()
export class DeadLettersRepository {
  constructor(@InjectModel(JobRecord.name) private readonly model: Model<JobRecord>) {}

  /**
   * Every caller's dead letters, most recently failed first. A failed record is written again only
   * when it is dismissed or run again, both of which take it off the list, so its `updatedAt` is
   * the time it failed and a stable sort key.
   */
  async listAsAdmin(filter: DeadLetterFilter, page: DeadLetterPage): Promise<JobRecord[]> {
    // `dismissed: null` also matches records written before the field existed (MongoDB and FerretDB).
    const query: Record<string, unknown> = { status: JobStatus.Failed, dismissed: null };
    if (filter.queue !== undefined) query.queue = filter.queue;
    if (filter.type !== undefined) query.type = filter.type;
    let filterDoc: object = query;
    if (page.after) {
      const { updatedAt, jobId } = page.after;
      const afterCursor = {
        $or: [{ updatedAt: mongoose.trusted({ $lt: updatedAt }) }, { updatedAt, _id: mongoose.trusted({ $lt: jobId }) }],
      };
      filterDoc = { $and: [query, afterCursor] };
    }
    return this.model.find(filterDoc).sort({ updatedAt: -1, _id: -1 }).limit(page.limit).lean<JobRecord[]>().exec();
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
