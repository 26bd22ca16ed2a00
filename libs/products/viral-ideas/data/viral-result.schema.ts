import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';

/** A reel as the analysis keeps it: enough to rank it again on a later run. */
export interface StoredReel {
  id: string;
  username: string;
  url: string | null;
  caption: string | null;
  views: number;
  likes: number;
  comments: number;
  posted_at: string;
  /** views ÷ the profile's median views (its baseline). */
  outlier_score: number;
  /** (likes + comments) ÷ views. */
  engagement_rate: number;
  transcript_opening: string | null;
}

export interface ProfileStatistics {
  username: string;
  role: 'primary' | 'competitor';
  /** ok, or failed with `error` (a competitor's failure does not fail the run). */
  fetch_status: 'ok' | 'failed';
  error: string | null;
  followers: number | null;
  /** Reels the service returned on this run (on a recurring run: only newer ones). */
  new_reels: number;
  reels_analysed: number;
  baseline_views: number;
  average_engagement_rate: number;
  latest_posted_at: string | null;
  /** The profile's most recent reels, kept so a recurring run fetches only newer ones. */
  reels: StoredReel[];
}

export interface HookPattern {
  pattern: string;
  count: number;
  examples: string[];
  average_outlier_score: number;
}

/** One analysis run's result (`viral_analysis_results`), one document per (entry, run number). */
@Schema({ collection: 'viral_analysis_results', versionKey: false, strict: 'throw' })
export class ViralResult {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  queue_id!: string;

  @Prop({ type: Number, required: true })
  run_number!: number;

  /** initial | recurring */
  @Prop({ type: String, required: true })
  run_type!: string;

  @Prop({ type: String, required: true })
  job_id!: string;

  @Prop({ type: [SchemaTypes.Mixed], default: [] })
  profiles!: ProfileStatistics[];

  @Prop({ type: [SchemaTypes.Mixed], default: [] })
  top_reels!: StoredReel[];

  @Prop({ type: SchemaTypes.Mixed, default: () => ({}) })
  top_reels_by_competitor!: Record<string, StoredReel[]>;

  @Prop({ type: [SchemaTypes.Mixed], default: [] })
  hook_patterns!: HookPattern[];

  @Prop({ type: [SchemaTypes.Mixed], default: [] })
  ideas!: unknown[];

  /** Why `ideas` is empty, when it is (no idea service configured, or it failed). */
  @Prop({ type: String, default: null })
  ideas_note!: string | null;

  @Prop({ type: SchemaTypes.Mixed, default: () => ({}) })
  transcripts!: { requested: number; fetched: number; failed: number; note: string | null };

  /** Milliseconds per step. */
  @Prop({ type: SchemaTypes.Mixed, default: () => ({}) })
  timings!: Record<string, number>;

  @Prop({ type: Date, required: true })
  started_at!: Date;

  @Prop({ type: Date, required: true })
  completed_at!: Date;
}

export const ViralResultSchema = SchemaFactory.createForClass(ViralResult);
ViralResultSchema.index({ queue_id: 1, run_number: 1 }, { unique: true });
