import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BackoffSpec,
  DataCipher,
  JobEnvelope,
  JobProgress,
  JobStatus,
  JobTypeRegistry,
  WebhookEvent,
  backoffDelay,
  messageOf,
  ownerFromKey,
  errorField,
} from '@conveyor/contracts';
import {
  EndNotifications,
  FlowEnds,
  FlowFanIn,
  JOB_TYPE_REGISTRY,
  JobControl,
  RunHooks,
  WebhookNotifier,
  lockTokenOf,
} from '@conveyor/queueing';
import { Job } from 'bull';
import { JobsRepository } from '@conveyor/database';
import { HandlerRegistry } from '../handlers/handler-registry';
import { CancellationWatcher } from './cancellation-watcher';
import { AttemptRef, JobRecordWriter, describeError } from './job-record-writer';
import { CircuitOpenError, FailureOutcome, JobLockLostError, PermanentJobError, attemptOutcome } from '@conveyor/job-runtime';
import { StepRunner } from './step-runner';
import { LiveProgress } from './live-progress';
import { stalledCountAtTake } from './stalled-count-at-take';

/** Attempts of one run an open circuit may defer (at CIRCUIT_RESET_MS each); past them they count. */
const MAX_CIRCUIT_DEFERRALS = 20;

/**
 * What a queue consumer does with one Bull job: record the attempt, run the handler's steps,
 * record the outcome, tell the job's webhook (if any), its flow and its owner's notifications,
 * and let Bull see the error (so it retries or fails the job). Errors are never swallowed: a
 * handler's failure always reaches Bull.
 */
@Injectable()
export class JobProcessor {
  private readonly logger = new Logger(JobProcessor.name);

  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly handlers: HandlerRegistry,
    private readonly runner: StepRunner,
    private readonly records: JobRecordWriter,
    private readonly cancellations: CancellationWatcher,
    private readonly control: JobControl,
    private readonly webhooks: WebhookNotifier,
    private readonly hooks: RunHooks,
    private readonly cipher: DataCipher,
    private readonly jobs: JobsRepository,
    private readonly fanIn: FlowFanIn,
    private readonly flowEnds: FlowEnds,
    private readonly notifications: EndNotifications,
  ) {}

  async process(job: Job<JobEnvelope>): Promise<unknown> {
    const ref: AttemptRef = { jobId: String(job.id), run: job.data.run ?? 1, attempt: job.attemptsMade + 1, startedAt: new Date() };
    const queue = job.queue.name;
    const cancelled = this.cancellations.track(ref.jobId);
    // Webhooks are enqueued only after the outcome they report is recorded. WebhookNotifier.notify
    // never rejects and waits at most a moment, so it cannot fail or hold up the job itself.
    const subject = { jobId: ref.jobId, type: job.name, callback: job.data.callback, run: ref.run, attempt: ref.attempt };
    let progress: JobProgress = { percent: 0, step: null };
    const live = new LiveProgress((next) => job.progress(next), ref.startedAt.getTime());
    const handler = this.handlers.find(job.name);
    // The payload as the handler and run hooks see it; undefined if it cannot be opened.
    let payload: unknown;
    // Only a job of a flow, or a root that fanned out (in this execution, or perhaps in an earlier
    // attempt or run), can end a flow: other jobs pay nothing for flows at their end.
    let fannedOut = false;
    const flowMayHaveEnded = async (redelivered = false): Promise<void> => {
      if (job.data.inFlow) return this.fanIn.jobEnded(ref.jobId);
      if (redelivered || fannedOut || ref.attempt > 1 || ref.run > 1) this.flowEnds.memberEnded(ref.jobId);
    };
    try {
      payload = this.cipher.open(job.data.payload, ref.jobId);
      // Boot guarantees a handler for every registered type, so one check covers both.
      const definition = this.registry.get(job.name);
      if (!definition || !handler) throw new PermanentJobError(`No job type named "${job.name}" is registered in this worker`);
      const done = await this.completedBefore(job, ref);
      if (done) {
        // Recorded here (the first execution died before it could): told here too.
        if (done.recordedNow) {
          const status = JobStatus.Completed;
          await this.webhooks.notify(
            { ...subject, status, progress: { percent: 100, step: null }, result: done.result },
            WebhookEvent.Completed,
          );
        }
        await flowMayHaveEnded(true);
        return done.result;
      }
      this.records.attemptStarted(ref, job.attemptsMade);
      const result = await this.runner.run(
        definition,
        handler,
        {
          jobId: ref.jobId,
          run: ref.run,
          attempt: ref.attempt,
          payload,
          timeoutMs: job.data.timeoutMs,
          ...(job.data.owner ? { owner: ownerFromKey(job.data.owner) } : {}),
        },
        {
          abort: cancelled,
          beforeStep: () => this.cancellations.checkBoundary(queue, ref.jobId, lockTokenOf(job.queue), job.processedOn),
          onFanOut: () => (fannedOut = true),
          onProgress: async (next) => {
            const stepChanged = next.step !== progress.step;
            progress = next;
            this.records.progress(ref, next);
            await live.update(next);
            // Not awaited: a progress webhook must not slow the step down (notify never rejects).
            if (stepChanged) void this.webhooks.notify({ ...subject, status: JobStatus.Active, progress: next }, WebhookEvent.Progress);
          },
        },
      );
      // Sealed once for the record, Bull's return value and the webhook: at rest it is never plaintext.
      const sealed = this.cipher.sealNew(result, ref.jobId);
      await this.control.noteRunDone(queue, ref.jobId, ref.run, sealed);
      if (await this.recordCompleted(ref, sealed)) {
        await this.webhooks.notify(
          { ...subject, status: JobStatus.Completed, progress: { percent: 100, step: null }, result: sealed },
          WebhookEvent.Completed,
        );
        // A child of a flow: its fan-out may now start its continuation; any job of a flow may end
        // it (never rejects).
        await flowMayHaveEnded();
        await this.notifyOwner(job, ref, JobStatus.Completed);
      }
      return sealed;
    } catch (error) {
      if (error instanceof JobLockLostError) {
        // Another execution owns the job now: this one records nothing and tells nobody, and lets
        // Bull see its error only after a newer execution in this process has ended.
        this.logger.warn(errorField(error), error.message);
        await this.cancellations.newerEnded(ref.jobId, cancelled);
        throw error;
      }
      // A call an open circuit refused never reached the service: the attempt is deferred, not spent.
      if (error instanceof CircuitOpenError) await this.control.deferAttempt(job, MAX_CIRCUIT_DEFERRALS).catch(() => false);
      const outcome = attemptOutcome(job, error);
      try {
        await this.recordFailure(job, ref, error, outcome);
      } catch (recordError) {
        // Bull must still see the handler's error; the reconciliation sweep repairs the record.
        this.logger.error(errorField(recordError), `Could not record the failure of job ${ref.jobId}`);
      }
      // The product hears how the attempt ended (RunHooks never reject).
      await this.hooks.runEnded({
        jobId: ref.jobId,
        type: job.name,
        run: ref.run,
        payload,
        outcome,
        progress,
        message: messageOf(error),
        byWorker: true,
      });
      if (outcome !== 'retried') await flowMayHaveEnded();
      // Told even if the record write failed: Bull is about to settle the job this way regardless.
      if (outcome === 'cancelled') {
        await this.webhooks.notify({ ...subject, status: JobStatus.Cancelled, progress }, WebhookEvent.Cancelled);
      } else if (outcome === 'failed') {
        const { message, code } = describeError(error);
        await this.webhooks.notify({ ...subject, status: JobStatus.Failed, progress, error: { message, code } }, WebhookEvent.Failed);
        await this.notifyOwner(job, ref, JobStatus.Failed);
      }
      throw error;
    } finally {
      live.end();
      this.cancellations.untrack(ref.jobId, cancelled);
    }
  }

  /**
   * A job Bull's stalled checker put back whose run already finished: the execution that ran it
   * died after its handler returned but before telling Bull. The run's note in Redis (or its record,
   * if the note is gone) completes the job instead of running the handler again, which could
   * charge or publish twice. Only redeliveries pay for these reads: a first delivery's stalled count
   * comes with the take (stalledCountAtTake).
   */
  private async completedBefore(job: Job<JobEnvelope>, ref: AttemptRef): Promise<{ result: unknown; recordedNow: boolean } | undefined> {
    const queue = job.queue.name;
    const stalled = stalledCountAtTake(job) ?? (await this.control.stalledCount(queue, ref.jobId));
    if (stalled === 0) return undefined;
    const noted = await this.control.runDone(queue, ref.jobId, ref.run);
    if (noted) {
      // A no-op when the first execution recorded it (the transition guard).
      const recordedNow = await this.recordCompleted(ref, noted.result);
      this.logger.warn(`Job ${ref.jobId} (run ${ref.run}) was redelivered after its handler returned; completed from that result`);
      return { result: noted.result, recordedNow };
    }
    const record = await this.jobs.findByIdUnscoped(ref.jobId);
    if (record?.status !== JobStatus.Completed || (record.run ?? 1) !== ref.run) return undefined;
    this.logger.warn(`Job ${ref.jobId} (run ${ref.run}) was redelivered after it completed; its recorded result completes it`);
    return { result: record.result, recordedNow: false };
  }

  /** A long job's end notifies its owner (EndNotifications decides; never rejects). */
  private async notifyOwner(job: Job<JobEnvelope>, ref: AttemptRef, status: JobStatus.Completed | JobStatus.Failed): Promise<void> {
    if (!job.data.owner) return; // enqueued before owners were carried: nobody to tell
    const end = { type: job.name, inFlow: job.data.inFlow === true, status, startedAt: ref.startedAt, finishedAt: new Date() };
    await this.notifications.jobEnded({ ...end, jobId: ref.jobId, run: ref.run, ownerKey: job.data.owner });
  }

  private async recordCompleted(ref: AttemptRef, result: unknown): Promise<boolean> {
    try {
      await this.records.completed(ref, result);
      return true;
    } catch (error) {
      this.logger.error(errorField(error), `Job ${ref.jobId} completed but its record was not written (the sweep settles it)`);
      return false;
    }
  }

  private async recordFailure(job: Job<JobEnvelope>, ref: AttemptRef, error: unknown, outcome: FailureOutcome): Promise<void> {
    const attempts = job.opts.attempts ?? 1;
    if (outcome === 'cancelled') {
      await job.discard(); // a cancelled job is never retried
      await this.records.cancelled(ref);
      await this.control.clearCancelRequest(job.queue.name, ref.jobId);
      this.logger.log(`Job ${ref.jobId} (${job.name}) cancelled during attempt ${ref.attempt}`);
      return;
    }
    if (error instanceof PermanentJobError) await job.discard();
    if (outcome === 'retried') {
      const spec = (job.opts.backoff as { options?: BackoffSpec } | undefined)?.options;
      const delay = error instanceof CircuitOpenError ? error.retryAfterMs : spec ? backoffDelay(spec, ref.attempt) : 0;
      await this.records.retryScheduled(ref, error, delay);
      this.logger.warn(errorField(error), `Job ${ref.jobId} (${job.name}) attempt ${ref.attempt}/${attempts} failed, will retry`);
    } else {
      await this.records.failed(ref, error);
      this.logger.warn(errorField(error), `Job ${ref.jobId} (${job.name}) failed after attempt ${ref.attempt}/${attempts}`);
    }
  }
}
