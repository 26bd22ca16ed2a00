import { Inject, Injectable, Logger } from '@nestjs/common';
import { BackoffSpec, JobEnvelope, JobTypeRegistry, QueueName, backoffDelay } from '@conveyor/contracts';
import { JOB_TYPE_REGISTRY, JobControl, QueueStats } from '@conveyor/queueing';
import { Job } from 'bull';
import { HandlerRegistry } from '../handlers/handler-registry';
import { CancellationWatcher } from './cancellation-watcher';
import { JobCancelledError, PermanentJobError } from './job-errors';
import { AttemptRef, JobRecordWriter } from './job-record-writer';
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
    private readonly cancellations: CancellationWatcher,
    private readonly control: JobControl,
  ) {}

  async process(job: Job<JobEnvelope>): Promise<unknown> {
    const ref: AttemptRef = { jobId: String(job.id), run: job.data.run ?? 1, attempt: job.attemptsMade + 1, startedAt: new Date() };
    const queue = job.queue.name;
    const cancelled = this.cancellations.track(ref.jobId);
    try {
      const definition = this.registry.get(job.name);
      if (!definition) throw new PermanentJobError(`No job type named "${job.name}" is registered in this worker`);
      this.records.attemptStarted(ref, job.attemptsMade);
      const result = await this.runner.run(
        definition,
        this.handlers.get(job.name),
        { jobId: ref.jobId, attempt: ref.attempt, payload: job.data.payload, timeoutMs: job.data.timeoutMs },
        {
          abort: cancelled,
          beforeStep: () => this.cancellations.throwIfRequested(queue, ref.jobId),
          onProgress: async (progress) => {
            this.records.progress(ref, progress);
            await job.progress(progress);
          },
        },
      );
      await this.records.completed(ref, result);
      await this.recordDuration(queue as QueueName, Date.now() - ref.startedAt.getTime());
      return result;
    } catch (error) {
      try {
        await this.recordFailure(job, ref, error);
      } catch (recordError) {
        // Bull must still see the handler's error; the reconciliation sweep repairs the record.
        this.logger.error(`Could not record the failure of job ${ref.jobId}: ${messageOf(recordError)}`);
      }
      throw error;
    } finally {
      this.cancellations.untrack(ref.jobId);
    }
  }

  private async recordFailure(job: Job<JobEnvelope>, ref: AttemptRef, error: unknown): Promise<void> {
    const attempts = job.opts.attempts ?? 1;
    if (error instanceof JobCancelledError) {
      await job.discard(); // a cancelled job is never retried
      await this.records.cancelled(ref);
      await this.control.clearCancelRequest(job.queue.name, ref.jobId);
      this.logger.log(`Job ${ref.jobId} (${job.name}) cancelled during attempt ${ref.attempt}`);
      return;
    }
    const permanent = error instanceof PermanentJobError;
    if (permanent) await job.discard();
    if (!permanent && ref.attempt < attempts) {
      const spec = (job.opts.backoff as { options?: BackoffSpec } | undefined)?.options;
      await this.records.retryScheduled(ref, error, spec ? backoffDelay(spec, ref.attempt) : 0);
      this.logger.warn(`Job ${ref.jobId} (${job.name}) attempt ${ref.attempt}/${attempts} failed, will retry: ${messageOf(error)}`);
    } else {
      await this.records.failed(ref, error);
      this.logger.warn(`Job ${ref.jobId} (${job.name}) failed after attempt ${ref.attempt}/${attempts}: ${messageOf(error)}`);
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
