import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { Model } from 'mongoose';
import { WebhookDeliveryAttempt } from './webhook-delivery-attempt.schema';

/** The only way to write or read `webhook_deliveries`: inserts, one job's attempts, and expiring old attempts. */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectModel(WebhookDeliveryAttempt.name) private readonly model: Model<WebhookDeliveryAttempt>) {}

  /** Resolves once indexes exist; call in tests so index errors surface (DESIGN §2). */
  async ensureIndexes(): Promise<void> {
    await this.model.init();
  }

  async insert(attempt: WebhookDeliveryAttempt): Promise<void> {
    await this.model.create(attempt);
  }

  /**
   * A job's delivery attempts, newest first, at most `limit`. Not scoped by owner: the caller must
   * have checked that the job is visible to whoever asks (JobReads.get).
   */
  async listForJob(jobId: string, limit: number): Promise<WebhookDeliveryAttempt[]> {
    if (typeof jobId !== 'string') throw new TypeError('jobId must be a string');
    return this.model.find({ jobId }).sort({ at: -1, attempt: -1 }).limit(limit).lean<WebhookDeliveryAttempt[]>().exec();
  }

  /** Deletes attempts made before `before` (the retention task): one statement. */
  async deleteOlderThan(before: Date): Promise<number> {
    return (await this.model.deleteMany({ at: mongoose.trusted({ $lt: before }) }).exec()).deletedCount;
  }
}
