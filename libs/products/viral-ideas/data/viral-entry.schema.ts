import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';

/** The unique index on (session_id, owner_key). */
export const VIRAL_ENTRY_SESSION_INDEX = 'session_id_1_owner_key_1';
/** The global unique index on session_id that older versions created; dropped at boot. */
export const LEGACY_VIRAL_SESSION_INDEX = 'session_id_1';

/**
 * One viral-ideas queue entry (seed 000's `viral_ideas_queue`); `_id` is its UUID. Field names
 * follow the product's API (snake_case). While a run is in flight only that run's worker writes
 * the run fields; claiming a run is a compare-and-set on `active_job_id`.
 */
@Schema({ collection: 'viral_ideas_queue', versionKey: false, strict: 'throw' })
export class ViralEntry {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  session_id!: string;

  /** The caller who created it (see ownerKey); the only one who may read or start it, with admins. */
  @Prop({ type: String, required: true })
  owner_key!: string;

  @Prop({ type: String, required: true })
  primary_username!: string;

  @Prop({ type: SchemaTypes.Mixed, default: () => ({}) })
  content_strategy!: Record<string, unknown>;

  @Prop({ type: SchemaTypes.Mixed, default: () => ({}) })
  analysis_settings!: Record<string, unknown>;

  @Prop({ type: String, required: true })
  status!: string;

  /** 1 (most urgent) … 10. */
  @Prop({ type: Number, required: true })
  priority!: number;

  @Prop({ type: String, default: null })
  current_step!: string | null;

  @Prop({ type: Number, default: 0 })
  progress_percentage!: number;

  @Prop({ type: String, default: null })
  error_message!: string | null;

  @Prop({ type: Boolean, required: true })
  auto_rerun_enabled!: boolean;

  @Prop({ type: Number, required: true })
  rerun_frequency_hours!: number;

  @Prop({ type: Date, default: null })
  last_analysis_at!: Date | null;

  @Prop({ type: Date, default: null })
  next_scheduled_run!: Date | null;

  @Prop({ type: Number, default: 0 })
  total_runs!: number;

  /** The job (Conveyor job id = Bull job id) of the latest run claimed; null before the first. */
  @Prop({ type: String, default: null })
  active_job_id!: string | null;

  @Prop({ type: Date, required: true })
  submitted_at!: Date;

  @Prop({ type: Date, default: null })
  started_processing_at!: Date | null;

  @Prop({ type: Date, default: null })
  completed_at!: Date | null;

  @Prop({ type: Date, required: true })
  created_at!: Date;

  @Prop({ type: Date, required: true })
  updated_at!: Date;
}

export const ViralEntrySchema = SchemaFactory.createForClass(ViralEntry);
// One entry per session of one owner (SESSION_EXISTS on insert), not per session id overall: a
// global index told other callers that a session existed and let them squat it. Serves the
// owner's lookup by session (both fields) and an admin's (the session_id prefix). Replaces the
// global `session_id_1`, which ViralEntryIndexMigration drops at boot.
ViralEntrySchema.index({ session_id: 1, owner_key: 1 }, { unique: true, name: VIRAL_ENTRY_SESSION_INDEX });
ViralEntrySchema.index({ status: 1 });
ViralEntrySchema.index({ active_job_id: 1 });
ViralEntrySchema.index({ priority: 1, submitted_at: 1 });
