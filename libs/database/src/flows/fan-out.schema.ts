import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ChildFailurePolicy } from '@conveyor/contracts';
import { SchemaTypes } from 'mongoose';

/** The continuation a fan-out starts once its children have ended (its payload sealed for its job id). */
export interface FanOutContinuation {
  jobId: string;
  type: string;
  data: unknown;
  priority: number;
  attempts?: number;
}

/** How a fan-out ended: its continuation started, or failed for a child (policy `fail`), or cancelled with its flow. */
export type FanOutOutcome = 'continued' | 'failed' | 'cancelled' | 'no-continuation';

/**
 * One fan-out of a flow: which children a parent's step started and what runs when they have all
 * ended. Inserted once, before any child is enqueued (`_id` parent and step, so a redelivered
 * parent finds it); `endedAt` and `outcome` are set once, by whichever fan-in sees the last child end.
 */
@Schema({ collection: 'flow_fan_outs', versionKey: false, strict: 'throw' })
export class FanOut {
  /** `<parentId>:<step>`. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  parentId!: string;

  @Prop({ required: true })
  rootId!: string;

  @Prop({ required: true })
  step!: string;

  @Prop({ required: true })
  ownerKey!: string;

  /** The children's job ids with their keys, in the order the handler gave them. */
  @Prop({ type: [SchemaTypes.Mixed], required: true })
  children!: Array<{ key: string; jobId: string }>;

  @Prop({ type: SchemaTypes.Mixed, default: null })
  continuation!: FanOutContinuation | null;

  @Prop({ type: String, required: true })
  onChildFailure!: ChildFailurePolicy;

  @Prop({ required: true })
  createdAt!: Date;

  @Prop({ type: Date, default: null })
  endedAt!: Date | null;

  @Prop({ type: String, default: null })
  outcome!: FanOutOutcome | null;

  /** Why the fan-out failed: the children that did not complete. */
  @Prop({ type: String, default: null })
  reason!: string | null;
}

export const FanOutSchema = SchemaFactory.createForClass(FanOut);
// The fan-outs of a flow (its tree, cancelling it), of one parent (retry), and those not ended yet (the fan-in sweep).
FanOutSchema.index({ rootId: 1 });
FanOutSchema.index({ parentId: 1 });
FanOutSchema.index({ endedAt: 1, _id: 1 });
