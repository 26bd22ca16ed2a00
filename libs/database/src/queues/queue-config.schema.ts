import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { QueueOverrides } from '@conveyor/contracts';
import { SchemaTypes } from 'mongoose';

/** An operator's settings for one queue (PUT /api/v1/queues/:name/config); one document per queue. */
@Schema({ collection: 'queue_configs', versionKey: false, strict: 'throw' })
export class QueueConfig {
  /** The queue name. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: SchemaTypes.Mixed, required: true, default: {} })
  overrides!: QueueOverrides;

  @Prop({ required: true })
  updatedAt!: Date;

  /** Owner key of the admin who saved it. */
  @Prop({ type: String, default: null })
  updatedBy!: string | null;
}

export const QueueConfigSchema = SchemaFactory.createForClass(QueueConfig);
