import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { Model } from 'mongoose';
import { QueueStatsSnapshot } from './queue-stats-snapshot.schema';

/** `queue_stats`: insert-only snapshots, one queue's history, and the retention delete. */
@Injectable()
export class QueueStatsSnapshotsRepository {
  constructor(@InjectModel(QueueStatsSnapshot.name) private readonly model: Model<QueueStatsSnapshot>) {}

  async insertMany(snapshots: QueueStatsSnapshot[]): Promise<void> {
    if (snapshots.length > 0) await this.model.insertMany(snapshots);
  }

  /** A queue's snapshots since `since`, oldest first, at most `limit`. */
  async history(queue: string, since: Date, limit: number): Promise<QueueStatsSnapshot[]> {
    if (typeof queue !== 'string') throw new TypeError('queue must be a string');
    return this.model
      .find({ queue, at: mongoose.trusted({ $gte: since }) })
      .sort({ at: 1 })
      .limit(limit)
      .lean<QueueStatsSnapshot[]>()
      .exec();
  }

  /** Deletes snapshots taken before `before`; their number. */
  async deleteOlderThan(before: Date): Promise<number> {
    return (await this.model.deleteMany({ at: mongoose.trusted({ $lt: before }) }).exec()).deletedCount;
  }
}
