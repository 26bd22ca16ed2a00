import { Prop, Schema, SchemaFactory, raw } from '@nestjs/mongoose';
import { BackoffSpec, FlowLink, JobCallback, JobProgress, JobStatus, ScheduledRun } from '@conveyor/contracts';
import { HydratedDocument, SchemaTypes } from 'mongoose';

export interface JobError {
  message: string;
  /** Error class name or a stable code (e.g. JobTimeoutError, UNEXPECTED_STATUS). */
  code: string;
  /** First lines of the stack, for operators; never shown to other callers. */
  stack?: string;
}

/** Who took a failed run off the dead-letter list, and when (DELETE /api/v1/dead-letters/:jobId). */
export interface DeadLetterDismissal {
  at: Date;
  /** The operator's owner key. */
  by: string;
}

/** What an earlier run of a retried job ended with. */
export interface JobRunSummary {
  run: number;
  status: JobStatus;
  attemptsMade: number;
  error: JobError | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * The durable record of one job (DESIGN §2). Created by the producer, then written only by the
 * worker running the job, through JobsRepository's guarded transitions.
 */
@Schema({ collection: 'jobs', versionKey: false, strict: 'throw' })
export class JobRecord {
  /** Public job id (random UUID); also the Bull job id, so both stores share one key. */
  @Prop({ type: String, required: true })
  _id!: string;

  /** "user:<id>" or "session:<id>" (see ownerKey in libs/contracts). */
  @Prop({ required: true })
  ownerKey!: string;

  @Prop({ required: true })
  type!: string;

  @Prop({ required: true })
  queue!: string;

  @Prop({ type: String, required: true, enum: Object.values(JobStatus) })
  status!: JobStatus;

  /** Transition sequence number; only ever rises (see transitionSeq in libs/contracts). */
  @Prop({ required: true })
  seq!: number;

  @Prop({ required: true })
  priority!: number;

  /** The payload, sealed for this job (DataCipher; plaintext in records from before encryption). */
  @Prop({ type: SchemaTypes.Mixed, required: true })
  data!: unknown;

  /** Webhook target and events, if the submitter asked for them (the secret, sealed, is never shown). */
  @Prop({ type: SchemaTypes.Mixed, default: null })
  callback!: JobCallback | null;

  @Prop(raw({ attempts: Number, delayMs: Number, timeoutMs: Number, backoff: SchemaTypes.Mixed }))
  options!: { attempts: number; delayMs: number; timeoutMs: number; backoff: BackoffSpec };

  @Prop(raw({ percent: Number, step: String }))
  progress!: JobProgress;

  /** 1, plus one for every explicit retry of the finished job. */
  @Prop({ required: true, default: 1 })
  run!: number;

  /** Earlier runs, oldest first (kept when a failed or cancelled job is retried). */
  @Prop({ type: [SchemaTypes.Mixed], default: [] })
  history!: JobRunSummary[];

  /** Attempts of the current run that have ended (succeeded or failed), as Bull counts them. */
  @Prop({ required: true, default: 0 })
  attemptsMade!: number;

  /** What the job returned, sealed like `data`. */
  @Prop({ type: SchemaTypes.Mixed, default: null })
  result!: unknown;

  @Prop({ type: SchemaTypes.Mixed, default: null })
  error!: JobError | null;

  @Prop({ required: true })
  createdAt!: Date;

  @Prop({ required: true })
  updatedAt!: Date;

  /** When a delayed job, or the next retry, becomes due. */
  @Prop({ type: Date, default: null })
  runAt!: Date | null;

  @Prop({ type: Date, default: null })
  startedAt!: Date | null;

  @Prop({ type: Date, default: null })
  finishedAt!: Date | null;

  /** Set on a job a repeating schedule fired for one of its cron runs; null otherwise. */
  @Prop({ type: SchemaTypes.Mixed, default: null })
  scheduledRun?: ScheduledRun | null;

  /** Set when an operator dismissed this failed run from the dead letters; a new run clears it. */
  @Prop({ type: SchemaTypes.Mixed, default: null })
  dismissed?: DeadLetterDismissal | null;

  /** Set on a job another job's fan-out started (a child or a continuation); null on the rest. */
  @Prop({ type: SchemaTypes.Mixed, default: null })
  flow?: FlowLink | null;
}

export type JobDocument = HydratedDocument<JobRecord>;
export const JobRecordSchema = SchemaFactory.createForClass(JobRecord);

// A caller's own jobs, newest first (job lists by owner).
JobRecordSchema.index({ ownerKey: 1, createdAt: -1 });
// Operators' per-queue views and the reconciliation sweep: jobs of a queue in a given state.
JobRecordSchema.index({ queue: 1, status: 1, updatedAt: 1 });
// Dead letters of every queue, most recent first (status failed), and the reconciliation sweep's
// unsettled records of every queue, oldest update first.
JobRecordSchema.index({ status: 1, updatedAt: 1, _id: 1 });
// A flow's jobs (the tree read, cancelling a flow).
JobRecordSchema.index({ 'flow.rootId': 1 });
