import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { NotificationSettings } from './notification-settings.schema';

/** Owners' notification settings, one document per owner: every method takes the owner's key. */
@Injectable()
export class NotificationSettingsRepository {
  constructor(@InjectModel(NotificationSettings.name) private readonly model: Model<NotificationSettings>) {}

  async find(ownerKey: string): Promise<NotificationSettings | null> {
    if (typeof ownerKey !== 'string') throw new TypeError('ownerKey must be a string');
    return this.model.findById(ownerKey).lean<NotificationSettings>().exec();
  }

  /** Replaces the owner's settings (what is left out is gone: a PUT). */
  async save(settings: NotificationSettings): Promise<void> {
    await this.model.replaceOne({ _id: settings._id }, settings, { upsert: true }).exec();
  }

  /** False when the owner had none. */
  async delete(ownerKey: string): Promise<boolean> {
    if (typeof ownerKey !== 'string') throw new TypeError('ownerKey must be a string');
    const { deletedCount } = await this.model.deleteOne({ _id: ownerKey }).exec();
    return deletedCount === 1;
  }
}
