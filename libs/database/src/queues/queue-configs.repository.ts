import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { QueueOverrides } from '@conveyor/contracts';
import { Model } from 'mongoose';
import { QueueConfig } from './queue-config.schema';

/** Queue settings saved by operators. Reads are by `_id`, the one lookup FerretDB indexes. */
@Injectable()
export class QueueConfigsRepository {
  constructor(@InjectModel(QueueConfig.name) private readonly model: Model<QueueConfig>) {}

  async overrides(queue: string): Promise<QueueOverrides> {
    const doc = await this.model.findById(queue).lean<QueueConfig>().exec();
    return doc?.overrides ?? {};
  }

  /** Every queue's saved settings, in one read (a worker's poll): the collection holds one small document per queue. */
  async allOverrides(): Promise<Map<string, QueueOverrides>> {
    const docs = await this.model.find({}, { overrides: 1 }).lean<QueueConfig[]>().exec();
    return new Map(docs.map((doc) => [doc._id, doc.overrides ?? {}]));
  }

  /** Changes only the given settings of a queue, keeping the rest (one atomic update: concurrent changes of other fields both land). */
  async merge(queue: string, changes: QueueOverrides, updatedBy: string): Promise<void> {
    const set = Object.fromEntries(Object.entries(changes).map(([field, value]) => [`overrides.${field}`, value]));
    await this.model.updateOne({ _id: queue }, { $set: { ...set, updatedAt: new Date(), updatedBy } }, { upsert: true }).exec();
  }

  /** Replaces a queue's settings (what is left out falls back to the queue policy). */
  async save(queue: string, overrides: QueueOverrides, updatedBy: string): Promise<void> {
    await this.model.replaceOne({ _id: queue }, { _id: queue, overrides, updatedAt: new Date(), updatedBy }, { upsert: true }).exec();
  }
}
