import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobEnvelope, JobTypeRegistry, QueueName, backoffDelay, BackoffSpec } from '@conveyor/contracts';
import { JOB_TYPE_REGISTRY, QueueStats } from '@conveyor/queueing';
import { Job } from 'bull';
import { HandlerRegistry } from '../handlers/handler-registry';
import { PermanentJobError } from './job-errors';
import { JobRecordWriter } from './job-record-writer';
import { StepRunner } from './step-runner';

/**
 * What a queue consumer does with one Bull job: record the attempt, run the handler's steps,
 * record the outcome, and let Bull see the error (so it retries or fails the job). Errors are
 * never swallowed: a handler's failure always reaches Bull.
 */
@Injectable()
export class JobProcessor {
  private readonly logger = new Logger(JobProcessor.name);

  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly handlers: HandlerRegistry,
    private readonly runner: StepRunner,
    private readonly records: JobRecordWriter,
    private readonly stats: QueueStats,
  ) {}

  async process(job: Job<JobEnvelope>): Promise<unknown> {
    const jobId = String(job.id);
    const attempt = job.attemptsMade + 1;
    const startedAt = new Date();
    try {
      const definition = this.registry.get(job.name);
      if (!definition) throw new PermanentJobError(`No job type named "${job.name}" is registered in this worker`);
      this.records.attemptStarted(jobId, attempt, job.attemptsMade, startedAt);
      const result = await this.runner.run(
        definition,
        this.handlers.get(job.name),
        { jobId, attempt, payload: job.data.payload, timeoutMs: job.data.timeoutMs },
        async (progress) => {
          this.records.progress(jobId, attempt, progress);
          await job.progress(progress);
        },
      );
      await this.records.completed(jobId, attempt, startedAt, result);
      await this.recordDuration(job.queue.name as QueueName, Date.now() - startedAt.getTime());
      return result;
    } catch (error) {
      try {
        await this.recordFailure(job, attempt, startedAt, error);
      } catch (recordError) {
        // Bull must still see the handler's error; the reconciliation sweep repairs the record.
        this.logger.error(`Could not record the failure of job ${jobId}: ${messageOf(recordError)}`);
      }
      throw error;
    }
  }

  private async recordFailure(job: Job<JobEnvelope>, attempt: number, startedAt: Date, error: unknown): Promise<void> {
    const jobId = String(job.id);
    const permanent = error instanceof PermanentJobError;
    if (permanent) await job.discard();
    const attempts = job.opts.attempts ?? 1;
    if (!permanent && attempt < attempts) {
      const spec = (job.opts.backoff as { options?: BackoffSpec } | undefined)?.options;
      await this.records.retryScheduled(jobId, attempt, startedAt, error, spec ? backoffDelay(spec, attempt) : 0);
      this.logger.warn(`Job ${jobId} (${job.name}) attempt ${attempt}/${attempts} failed, will retry: ${messageOf(error)}`);
    } else {
      await this.records.failed(jobId, attempt, startedAt, error);
      this.logger.warn(`Job ${jobId} (${job.name}) failed after attempt ${attempt}/${attempts}: ${messageOf(error)}`);
    }
  }

  /** Timing samples only feed wait estimates; losing one must not fail a completed job. */
  private async recordDuration(queue: QueueName, ms: number): Promise<void> {
    try {
      await this.stats.recordDuration(queue, ms);
    } catch (error) {
      this.logger.warn(`Could not record a processing time for queue ${queue}: ${messageOf(error)}`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
