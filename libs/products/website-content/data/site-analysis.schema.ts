import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** One website analysis of an organization, kept by the job that made it (its id). */
@Schema({ collection: 'website_analyses', versionKey: false, strict: 'throw' })
export class SiteAnalysis {
  /** The job id: a redelivered job writes the same document again. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  organizationId!: string;

  @Prop({ type: String, required: true })
  url!: string;

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  analysis!: object;

  @Prop({ type: Date, required: true })
  analysedAt!: Date;
}

export const SiteAnalysisSchema = SchemaFactory.createForClass(SiteAnalysis);
SiteAnalysisSchema.index({ organizationId: 1, analysedAt: -1 });
