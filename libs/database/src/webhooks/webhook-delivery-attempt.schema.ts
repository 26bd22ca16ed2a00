import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { WebhookEvent } from '@conveyor/contracts';

/**
 * One attempt at delivering one webhook (insert-only: a document per attempt, never updated, so
 * the worker's hot path costs one insert on FerretDB too). The receiver's response body is never
 * stored: only its status, how long it took, and what went wrong.
 */
@Schema({ collection: 'webhook_deliveries', versionKey: false, strict: 'throw' })
export class WebhookDeliveryAttempt {
  /** Random UUID. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  jobId!: string;

  /** The delivery's `Webhook-Id`, shared by all its attempts. */
  @Prop({ required: true })
  deliveryId!: string;

  @Prop({ type: String, required: true, enum: Object.values(WebhookEvent) })
  event!: WebhookEvent;

  /** 1 for the first attempt of the delivery. */
  @Prop({ required: true })
  attempt!: number;

  @Prop({ required: true })
  url!: string;

  /** The receiver's status, or null when none came (refused target, network error, timeout). */
  @Prop({ type: Number, default: null })
  statusCode!: number | null;

  @Prop({ required: true })
  durationMs!: number;

  /** Why the attempt failed; null when the receiver answered 2xx. */
  @Prop({ type: String, default: null })
  error!: string | null;

  /** When the attempt started. */
  @Prop({ required: true })
  at!: Date;
}

export const WebhookDeliveryAttemptSchema = SchemaFactory.createForClass(WebhookDeliveryAttempt);

// A job's attempts, newest first (GET /api/v1/jobs/:jobId/webhooks). FerretDB v1 ignores it and
// scans (docs/architecture.md); that read is rare, the inserts are the hot path.
WebhookDeliveryAttemptSchema.index({ jobId: 1, at: -1 });
