import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A competitor of one queue entry (seed 000's `viral_ideas_competitors`). */
@Schema({ collection: 'viral_ideas_competitors', versionKey: false, strict: 'throw' })
export class ViralCompetitor {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  queue_id!: string;

  @Prop({ type: String, required: true })
  competitor_username!: string;

  /** suggested | manual | api */
  @Prop({ type: String, required: true })
  selection_method!: string;

  @Prop({ type: Boolean, default: true })
  is_active!: boolean;

  /** pending | processing | completed | failed, for the latest run. */
  @Prop({ type: String, default: 'pending' })
  processing_status!: string;

  @Prop({ type: Date, required: true })
  added_at!: Date;

  @Prop({ type: Date, default: null })
  removed_at!: Date | null;
}

export const ViralCompetitorSchema = SchemaFactory.createForClass(ViralCompetitor);
ViralCompetitorSchema.index({ queue_id: 1, competitor_username: 1 }, { unique: true });
