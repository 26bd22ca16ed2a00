import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { CompetitorReportContent } from './report.types';

export type ReportStatus = 'generating' | 'ready';

/** A discovery's competitor report: written once assembled, its PDF's facts added when exported. */
@Schema({ collection: 'competitor_reports', versionKey: false, strict: 'throw' })
export class CompetitorReport {
  /** The discovery's id. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  owner_key!: string;

  @Prop({ type: String, required: true })
  status!: ReportStatus;

  @Prop({ type: MongooseSchema.Types.Mixed, default: null })
  content!: CompetitorReportContent | null;

  @Prop({ type: MongooseSchema.Types.Mixed, default: null })
  pdf!: { bytes: number; sha256: string; generated_at: Date } | null;

  @Prop({ type: Date, required: true })
  created_at!: Date;

  @Prop({ type: Date, default: null })
  generated_at!: Date | null;
}

/** A report's PDF bytes (in MongoDB, so the API serves it without sharing the workers' disk). */
@Schema({ collection: 'report_pdfs', versionKey: false, strict: 'throw' })
export class ReportPdf {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  owner_key!: string;

  @Prop({ type: Buffer, required: true })
  data!: Buffer;
}

export const CompetitorReportSchema = SchemaFactory.createForClass(CompetitorReport);
export const ReportPdfSchema = SchemaFactory.createForClass(ReportPdf);
