import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';

/** Live counts of a queue when the snapshot was taken. */
export interface SnapshotCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Outcomes over the hour before the snapshot. */
export interface SnapshotLastHour {
  completed: number;
  failed: number;
  retried: number;
  cancelled: number;
}

/**
 * One queue's state at one time, written by the `update-queue-stats` system task (insert-only).
 * Durable history of depth, throughput and failures: Redis keeps only live counts and 7 days of
 * hourly buckets, and loses them with its data; these are kept JOB_RECORD_RETENTION_DAYS.
 */
@Schema({ collection: 'queue_stats', versionKey: false, strict: 'throw' })
export class QueueStatsSnapshot {
  /** `<queue>:<at ISO>`. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  queue!: string;

  @Prop({ required: true })
  at!: Date;

  @Prop({ type: SchemaTypes.Mixed, required: true })
  counts!: SnapshotCounts;

  @Prop({ type: SchemaTypes.Mixed, required: true })
  lastHour!: SnapshotLastHour;

  /** Failed ÷ (completed + failed) over the last hour; null when nothing finished. */
  @Prop({ type: Number, default: null })
  failureRate!: number | null;

  /** Mean of the last 100 processing times. */
  @Prop({ type: Number, required: true })
  averageProcessingMs!: number;

  /** Live workers consuming the queue and their combined concurrency. */
  @Prop({ type: Number, required: true })
  workers!: number;

  @Prop({ type: Number, required: true })
  capacity!: number;
}

export const QueueStatsSnapshotSchema = SchemaFactory.createForClass(QueueStatsSnapshot);
// A queue's history, oldest first (GET /api/v1/queues/:name/history); and the retention delete by `at`.
QueueStatsSnapshotSchema.index({ queue: 1, at: 1 });
QueueStatsSnapshotSchema.index({ at: 1 });
