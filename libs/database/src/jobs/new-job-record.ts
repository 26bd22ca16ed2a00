import { FlowLink, JobCallback, JobStatus, ResolvedJobOptions, ScheduledRun, TransitionPhase, transitionSeq } from '@conveyor/contracts';
import { JobRecord } from './job.schema';

export interface NewJob {
  jobId: string;
  ownerKey: string;
  type: string;
  queue: string;
  data: unknown;
  options: ResolvedJobOptions;
  callback?: JobCallback;
  /** The cron run a repeating schedule fires this job for. */
  scheduledRun?: ScheduledRun;
  /** Where the job sits in a flow, when another job's fan-out started it. */
  flow?: FlowLink;
  now?: Date;
}

/** The record of a job that has just been accepted: waiting, or delayed until its delay passes. */
export function newJobRecord({
  jobId,
  ownerKey,
  type,
  queue,
  data,
  options,
  callback,
  scheduledRun,
  flow,
  now = new Date(),
}: NewJob): JobRecord {
  const delayed = options.delayMs > 0;
  return {
    _id: jobId,
    ownerKey,
    type,
    queue,
    status: delayed ? JobStatus.Delayed : JobStatus.Waiting,
    seq: transitionSeq(1, TransitionPhase.Queued),
    priority: options.priority,
    data,
    callback: callback ?? null,
    options: { attempts: options.attempts, delayMs: options.delayMs, timeoutMs: options.timeoutMs, backoff: options.backoff },
    progress: { percent: 0, step: null },
    run: 1,
    history: [],
    attemptsMade: 0,
    result: null,
    error: null,
    createdAt: now,
    updatedAt: now,
    runAt: delayed ? new Date(now.getTime() + options.delayMs) : null,
    startedAt: null,
    finishedAt: null,
    // Every field the schema defaults, set here: the record is inserted by the driver, not Mongoose.
    scheduledRun: scheduledRun ?? null,
    dismissed: null,
    flow: flow ?? null,
  };
}
