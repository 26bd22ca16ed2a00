import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { Model } from 'mongoose';
import { insertUnlessDuplicate } from '../duplicate-key';
import { FanOut, FanOutOutcome } from './fan-out.schema';

/** A fan-out's id: one per parent job and step. */
export function fanOutId(parentId: string, step: string): string {
  return `${parentId}:${step}`;
}

/** Flows' fan-outs: inserted once, ended once; read by `_id` or by flow. */
@Injectable()
export class FanOutsRepository {
  constructor(@InjectModel(FanOut.name) private readonly model: Model<FanOut>) {}

  /** Inserts the fan-out, or returns the one a previous execution of the parent inserted. */
  async claim(fanOut: FanOut): Promise<FanOut> {
    if (await insertUnlessDuplicate(this.model, fanOut)) return fanOut;
    const existing = await this.find(fanOut._id);
    if (!existing) throw new Error(`Fan-out ${fanOut._id} exists and cannot be read`);
    return existing;
  }

  async find(id: string): Promise<FanOut | null> {
    return this.model.findById(id).lean<FanOut>().exec();
  }

  async ofFlow(rootId: string): Promise<FanOut[]> {
    return this.model.find({ rootId }).lean<FanOut[]>().exec();
  }

  async ofParent(parentId: string): Promise<FanOut[]> {
    return this.model.find({ parentId }).lean<FanOut[]>().exec();
  }

  /**
   * A page of the fan-outs not ended that were recorded before `before`, by id after `afterId`
   * (the fan-in sweep walks them round, so a few that stay open for long never starve the rest).
   */
  async unendedPage(before: Date, afterId: string, limit: number): Promise<FanOut[]> {
    return this.model
      .find({
        endedAt: mongoose.trusted({ $eq: null }),
        createdAt: mongoose.trusted({ $lt: before }),
        _id: mongoose.trusted({ $gt: afterId }),
      })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<FanOut[]>()
      .exec();
  }

  /** Deletes fan-outs that ended before `before` (with their sealed continuation payloads). */
  async deleteEndedBefore(before: Date): Promise<number> {
    const { deletedCount } = await this.model.deleteMany({ endedAt: mongoose.trusted({ $lt: before }) }).exec();
    return deletedCount;
  }

  /** Opens again a fan-out that ended failed or cancelled (a flow's retry); false if it had not. */
  async reopen(id: string): Promise<boolean> {
    const { modifiedCount } = await this.model
      .updateOne(
        { _id: id, outcome: mongoose.trusted({ $in: ['failed', 'cancelled'] }) },
        { $set: { endedAt: null, outcome: null, reason: null } },
      )
      .exec();
    return modifiedCount === 1;
  }

  /** Marks the fan-out ended; false when another fan-in (or a cancel) already did. */
  async end(id: string, outcome: FanOutOutcome, reason: string | null = null, now = new Date()): Promise<boolean> {
    const { modifiedCount } = await this.model
      .updateOne({ _id: id, endedAt: mongoose.trusted({ $eq: null }) }, { $set: { endedAt: now, outcome, reason } })
      .exec();
    return modifiedCount === 1;
  }
}
