import { Injectable, Logger } from '@nestjs/common';
import { ConveyorError, ErrorCode, JobProgress, JobStatus, Owner, QueueName, isTerminal, ownerKey } from '@conveyor/contracts';
import { JobRecord, JobsRepository } from '@conveyor/database';
import { JobProducer, QueueRegistry, SubmittedJob } from '@conveyor/queueing';
import { Job, JobStatus as BullState } from 'bull';
import { JobResponse } from './dto/job.response';
import { SubmitJobRequest } from './dto/submit-job.request';

/** Bull's states in Conveyor's words ("paused" is a waiting job on a paused queue). */
const FROM_BULL_STATE: Partial<Record<BullState | 'paused' | 'stuck', JobStatus>> = {
  waiting: JobStatus.Waiting,
  paused: JobStatus.Waiting,
  delayed: JobStatus.Delayed,
  active: JobStatus.Active,
  completed: JobStatus.Completed,
  failed: JobStatus.Failed,
};

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly producer: JobProducer,
    private readonly jobs: JobsRepository,
    private readonly queues: QueueRegistry,
  ) {}

  submit(owner: Owner, request: SubmitJobRequest): Promise<SubmittedJob> {
    return this.producer.submit(owner, request);
  }

  /**
   * One job as its owner sees it: the MongoDB record, overlaid with Bull's live state and progress
   * while the job is still in Redis. Another caller's job is "not found", never "forbidden".
   */
  async get(owner: Owner, jobId: string): Promise<JobResponse> {
    const record = await this.findRecord(owner, jobId);
    if (isTerminal(record.status)) return fromRecord(record);
    const live = await this.liveJob(record.queue as QueueName, jobId);
    if (!live) return fromRecord(record);
    if (live.status && isTerminal(live.status)) {
      // The job finished between the two reads. Its outcome is written to the record before Bull
      // marks it finished, so the record now holds the result or error.
      const settled = await this.findRecord(owner, jobId);
      if (isTerminal(settled.status)) return fromRecord(settled);
    }
    return { ...fromRecord(record), ...live, source: 'queue' };
  }

  private async findRecord(owner: Owner, jobId: string): Promise<JobRecord> {
    const record = await this.jobs.findOwned(ownerKey(owner), jobId);
    if (!record) throw new ConveyorError(ErrorCode.JobNotFound, `Job ${jobId} not found`);
    return record;
  }

  private async liveJob(queue: QueueName, jobId: string): Promise<Partial<JobResponse> | undefined> {
    try {
      const job: Job | null = await this.queues.get(queue).getJob(jobId);
      if (!job) return undefined;
      const state = FROM_BULL_STATE[(await job.getState()) as BullState];
      const progress = job.progress() as unknown;
      return {
        ...(state ? { status: state } : {}),
        ...(isProgress(progress) ? { progress } : {}),
        attemptsMade: job.attemptsMade,
      };
    } catch (error) {
      // Redis being unreachable must not hide a job whose durable record we have.
      this.logger.warn(`Live state of job ${jobId} unavailable: ${error instanceof Error ? error.message : error}`);
      return undefined;
    }
  }
}

function fromRecord(record: JobRecord): JobResponse {
  return {
    jobId: record._id,
    type: record.type,
    queue: record.queue as QueueName,
    status: record.status,
    priority: record.priority,
    progress: { percent: record.progress?.percent ?? 0, step: record.progress?.step ?? null },
    attemptsMade: record.attemptsMade,
    maxAttempts: record.options.attempts,
    result: record.result ?? null,
    error: record.error ? { message: record.error.message, code: record.error.code } : null,
    createdAt: record.createdAt.toISOString(),
    startedAt: record.startedAt?.toISOString() ?? null,
    finishedAt: record.finishedAt?.toISOString() ?? null,
    runAt: record.runAt?.toISOString() ?? null,
    source: 'record',
  };
}

function isProgress(value: unknown): value is JobProgress {
  return typeof value === 'object' && value !== null && typeof (value as JobProgress).percent === 'number';
}
