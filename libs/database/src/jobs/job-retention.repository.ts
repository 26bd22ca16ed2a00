import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { TERMINAL_STATUSES } from '@conveyor/contracts';
import mongoose, { Model } from 'mongoose';
import { JobRecord } from './job.schema';

/**
 * Deletes expired job records for the `cleanup-expired-jobs` system task: only finished ones
 * (completed, failed, cancelled) last written before the cut-off. A finished record's last write is
 * when it finished (or was dismissed), so a dead letter younger than the retention is never deleted.
 * On FerretDB every call scans the collection (DESIGN §2): the task works in bounded batches.
 */
@Injectable()
export class JobRetentionRepository {
  constructor(@InjectModel(JobRecord.name) private readonly model: Model<JobRecord>) {}

  /** Ids of at most `limit` expired records, oldest first (the `{ status, updatedAt, _id }` index on MongoDB). */
  async expiredIds(writtenBefore: Date, limit: number): Promise<string[]> {
    const rows = await this.model
      .find(this.expired(writtenBefore))
      .select({ _id: 1 })
      .sort({ updatedAt: 1, _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: string }>>()
      .exec();
    return rows.map((row) => row._id);
  }

  /**
   * Deletes those of `ids` that are still expired: a record run again since it was read (a retry or
   * requeue) is no longer terminal and stays.
   */
  async deleteExpired(ids: string[], writtenBefore: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const filter = { $and: [{ _id: mongoose.trusted({ $in: ids }) }, this.expired(writtenBefore)] };
    return (await this.model.deleteMany(filter).exec()).deletedCount;
  }

  private expired(writtenBefore: Date) {
    return {
      status: mongoose.trusted({ $in: TERMINAL_STATUSES }),
      updatedAt: mongoose.trusted({ $lt: writtenBefore }),
    };
  }
}
