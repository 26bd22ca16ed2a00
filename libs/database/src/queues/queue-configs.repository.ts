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

  /** Replaces a queue's settings (what is left out falls back to the queue policy). */
  async save(queue: string, overrides: QueueOverrides, updatedBy: string): Promise<void> {
    await this.model.replaceOne({ _id: queue }, { _id: queue, overrides, updatedAt: new Date(), updatedBy }, { upsert: true }).exec();
  }
}
