import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** A finished analysis (seed 002's result), kept by its job id for its owner after Bull forgets the job. */
@Schema({ collection: 'video_analyses', versionKey: false, strict: 'throw' })
export class VideoAnalysisRecord {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  video_id!: string;

  @Prop({ type: String, required: true })
  owner_key!: string;

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  result!: object;

  @Prop({ type: Date, required: true })
  completed_at!: Date;
}

export const VideoAnalysisRecordSchema = SchemaFactory.createForClass(VideoAnalysisRecord);
VideoAnalysisRecordSchema.index({ owner_key: 1, video_id: 1 });
