import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';

/** What became of a schedule's latest run or trigger. */
export interface ScheduleRunResult {
  /** `submitted`: a job was enqueued (its own record says how it went); `refused`: the submit failed. */
  outcome: 'submitted' | 'refused';
  /** When the job was submitted (or refused). */
  at: Date;
  jobId: string | null;
  /** `scheduled` for a cron run, `manual` for POST /jobs/:name/trigger. */
  trigger: 'scheduled' | 'manual';
  error: { code: string; message: string } | null;
}

/**
 * A repeating schedule (POST /api/v1/scheduler/repeating); one document per schedule, `_id` = its
 * name. The source of truth for firing: Redis holds only the ticker's lock and per-run dedupe keys.
 */
@Schema({ collection: 'schedules', versionKey: false, strict: 'throw' })
export class Schedule {
  /** The schedule's name (a slug). */
  @Prop({ type: String, required: true })
  _id!: string;

  /** The job type each run submits; for a system schedule, its system task (the schedule's name). */
  @Prop({ type: String, required: true })
  type!: string;

  /**
   * A system schedule (seeded by the workers, runs a maintenance task): listed and triggerable,
   * never deleted. Absent on documents written before system schedules existed: false.
   */
  @Prop({ type: Boolean, default: false })
  system!: boolean;

  /**
   * An admin's schedule of a system task (seed 004's repeating `cleanup-expired-jobs`): each run is
   * that task on the maintenance queue, with `data` as its options. Absent: false.
   */
  @Prop({ type: Boolean, default: false })
  task?: boolean;

  /** The payload each run submits, already validated and normalised like a submission's. */
  @Prop({ type: SchemaTypes.Mixed, required: true })
  data!: object;

  @Prop({ type: String, required: true })
  cron!: string;

  /** IANA zone the cron is read in; null = UTC. */
  @Prop({ type: String, default: null })
  timezone!: string | null;

  @Prop({ type: String, default: null })
  description!: string | null;

  @Prop({ required: true })
  createdAt!: Date;

  /** Owner key of the admin who created it. */
  @Prop({ type: String, required: true })
  createdBy!: string;

  /** The cron time of the latest run fired (not a manual trigger); runs are due after it. */
  @Prop({ type: Date, default: null })
  lastRunAt!: Date | null;

  @Prop({ type: SchemaTypes.Mixed, default: null })
  lastResult!: ScheduleRunResult | null;
}

export const ScheduleSchema = SchemaFactory.createForClass(Schedule);
