import { Injectable, Logger } from '@nestjs/common';
import {
  BackoffSpec,
  ConveyorError,
  DataCipher,
  EffectiveQueuePolicy,
  ErrorCode,
  FlowLink,
  JobCallback,
  JobStatus,
  JobTypeDefinition,
  Owner,
  QueueName,
  ResolvedJobOptions,
  ScheduledRun,
  SubmitJobInput,
  ownerKey,
  scheduledRunJobId,
  errorField,
} from '@conveyor/contracts';
import { JobRecord, JobsRepository, isDuplicateKey, newJobRecord } from '@conveyor/database';
import { randomUUID } from 'node:crypto';
import { bullJobOptions, jobEnvelope } from './bull-job-options';
import { BacklogAdmission, BacklogReservation } from './backlog-admission';
import { QueueRegistry } from './queue-registry.service';
import { withTimeout } from './with-timeout';
import { UNCERTAIN_ADD_BUDGET_MS, findLandedJobs } from './uncertain-add';
import { JobControl } from './job-control.service';
import { SubmissionCheck } from './submission-check';
import { WaitEstimate } from './wait-estimate';

export interface SubmittedJob {
  jobId: string;
  queue: QueueName;
  type: string;
  status: JobStatus.Waiting | JobStatus.Delayed;
  /** 1-based place among waiting jobs (null while delayed). */
  queuePosition: number | null;
  estimatedWaitSeconds: number;
  /** ISO-8601. */
  createdAt: string;
}

/** A submission that passed validation and policy checks, not yet recorded or enqueued. */
export interface PreparedJob {
  definition: JobTypeDefinition;
  payload: object;
  options: ResolvedJobOptions;
  /** The queue's effective policy when the job was prepared. */
  policy: EffectiveQueuePolicy;
  callback?: JobCallback;
  /** The submitting request's X-Request-Id (API submissions only). */
  requestId?: string;
}

/** What a dry run reports: how the job would run, and whether it would be admitted now. */
export interface JobPlan {
  type: string;
  queue: QueueName;
  priority: number;
  delayMs: number;
  attempts: number;
  backoff: BackoffSpec;
  timeoutMs: number;
  queuePosition: number | null;
  estimatedWaitSeconds: number;
  admitted: boolean;
}

/** A product's own submission: the job id it has already claimed for one of its entities. */
export interface ClaimedSubmission {
  owner: Owner;
  jobId: string;
  input: SubmitJobInput;
}

/** A job a running job's fan-out starts, with the id the fan-out derived for it. */
export interface FlowSubmission extends ClaimedSubmission {
  flow: FlowLink;
}

/** A flow job that passed its checks. */
export interface PreparedFlowJob extends FlowSubmission {
  prepared: PreparedJob;
}

/** Who is submitting: a client through the job API, or a product's code for its own job types. */
export type SubmitOrigin = 'client' | 'product';

/** One item of a bulk submission: its job, or the error that refused it alone. */
export type BulkItemOutcome = { index: number; job: SubmittedJob } | { index: number; error: ConveyorError };

/** One job of a batch enqueue (bulk or claimed submissions). */
interface BatchItem {
  index: number;
  prepared: PreparedJob;
  jobId: string;
  owner: Owner;
}

/** How long a submit may wait on Redis before the client gets 503 instead of a hung request. */
const ENQUEUE_TIMEOUT_MS = 5_000;
/** Retries of withdrawing jobs refused with an add of unknown outcome: from 1 s, doubling to 30 s. */
const WITHDRAW_RETRY_MS = 1_000;
const WITHDRAW_RETRY_MAX_MS = 30_000;

/**
 * The one submit path: check (SubmissionCheck) → admit → write the record → enqueue → estimate
 * (WaitEstimate). Bulk, dry runs and products' claimed submissions share it.
 */
@Injectable()
export class JobProducer {
  private readonly logger = new Logger(JobProducer.name);

  constructor(
    private readonly queues: QueueRegistry,
    private readonly backlog: BacklogAdmission,
    private readonly jobs: JobsRepository,
    private readonly check: SubmissionCheck,
    private readonly waits: WaitEstimate,
    private readonly cipher: DataCipher,
    private readonly control: JobControl,
  ) {}

  /**
   * `scheduledRun`: the cron run a repeating schedule submits this job for, kept on its record; its
   * job id is derived from the run, so a second submit of the run fails on the record's unique id
   * (a duplicate-key error) and never reaches Bull.
   */
  async submit(owner: Owner, input: SubmitJobInput, scheduledRun?: ScheduledRun): Promise<SubmittedJob> {
    const prepared = await this.prepare(owner, input);
    const { reservation, refusal } = await this.admission(prepared.policy, 1);
    let record: JobRecord;
    try {
      if (reservation.granted < 1) throw refusal();
      record = await this.enqueue(owner, prepared, scheduledRun);
    } catch (error) {
      await this.release(reservation);
      throw error;
    }
    // The job is in Bull: its reservation goes, and its estimate is read, in the same round trip.
    const [, submitted] = await Promise.all([this.release(reservation), this.submitted(record, prepared)]);
    return submitted;
  }

  /** Validates and resolves a submission without enqueuing it (`?dryRun=true`). */
  async plan(owner: Owner, input: SubmitJobInput): Promise<JobPlan> {
    const { definition, options, policy } = await this.prepare(owner, input);
    const queue = definition.queue;
    const [{ queuePosition, estimatedWaitSeconds }, { reservation }] = await Promise.all([
      this.waits.estimate(policy, options, options.delayMs > 0, 1),
      this.admission(policy, 0),
    ]);
    return {
      type: definition.type,
      queue,
      priority: options.priority,
      delayMs: options.delayMs,
      attempts: options.attempts,
      backoff: options.backoff,
      timeoutMs: options.timeoutMs,
      queuePosition,
      estimatedWaitSeconds,
      admitted: reservation.room >= 1,
    };
  }

  /**
   * Several submissions in one call: each is validated on its own (a bad item does not sink the
   * batch), records are inserted together and each queue's jobs go to Bull in one addBulk.
   */
  async submitMany(owner: Owner, inputs: Array<SubmitJobInput | ConveyorError>): Promise<BulkItemOutcome[]> {
    const items = inputs.map((input) => (input instanceof ConveyorError ? input : { owner, jobId: randomUUID(), input }));
    return this.submitBatch(items, 'client');
  }

  /**
   * A product's submissions with ids it claimed beforehand (its entity already points at them),
   * handled like a bulk submission.
   */
  async submitClaimed(submissions: ClaimedSubmission[]): Promise<BulkItemOutcome[]> {
    return this.submitBatch(submissions, 'product');
  }

  /**
   * Validates each item alone, then per queue admits as many as the backlog has room for (none
   * while draining) and enqueues those with one addBulk; the rest get the refusal.
   */
  private async submitBatch(items: Array<ClaimedSubmission | ConveyorError>, origin: SubmitOrigin): Promise<BulkItemOutcome[]> {
    const outcomes: BulkItemOutcome[] = [];
    const byQueue = new Map<QueueName, BatchItem[]>();
    for (const [index, item] of items.entries()) {
      if (item instanceof ConveyorError) {
        outcomes.push({ index, error: item });
        continue;
      }
      try {
        const prepared = await this.prepare(item.owner, item.input, origin);
        const queue = prepared.definition.queue;
        byQueue.set(queue, [...(byQueue.get(queue) ?? []), { index, prepared, jobId: item.jobId, owner: item.owner }]);
      } catch (error) {
        if (!(error instanceof ConveyorError)) throw error;
        outcomes.push({ index, error });
      }
    }
    for (const [queue, queued] of byQueue) {
      const { reservation, refusal } = await this.admission(queued[0].prepared.policy, queued.length);
      try {
        for (const { index } of queued.slice(reservation.granted)) outcomes.push({ index, error: refusal() });
        const admitted = queued.slice(0, reservation.granted);
        if (admitted.length > 0) outcomes.push(...(await this.enqueueBatch(queue, admitted)));
      } finally {
        await this.release(reservation);
      }
    }
    return outcomes.sort((a, b) => a.index - b.index);
  }

  /**
   * Jobs a running job's fan-out starts, with ids derived from it. Every job is checked before any
   * is written, so a mistake refuses them all and never leaves half a fan-out. A job already
   * recorded (the parent was redelivered and fans out again) is not recorded twice, and is enqueued
   * again only if it never started (Bull ignores an id it holds). Admitted with the job that
   * started them: the backlog limit refuses clients' submissions, not the rest of a flow under way.
   */
  async submitFlowJobs(items: FlowSubmission[]): Promise<void> {
    await this.enqueueFlowJobs(await this.prepareFlowJobs(items));
  }

  /** Checks flow jobs as submissions of their types (the first refusal throws). */
  async prepareFlowJobs(items: FlowSubmission[]): Promise<PreparedFlowJob[]> {
    const prepared: PreparedFlowJob[] = [];
    for (const item of items) prepared.push({ ...item, prepared: await this.prepare(item.owner, item.input, 'product') });
    return prepared;
  }

  /** Records and enqueues checked flow jobs (see submitFlowJobs). */
  async enqueueFlowJobs(prepared: PreparedFlowJob[]): Promise<void> {
    await this.enqueueOnce(prepared);
  }

  /**
   * A job whose id derives from what it is about (the notification of one end), recorded and
   * enqueued once however often it is submitted, as flow jobs are; admitted like them too.
   */
  async submitOnce(submission: ClaimedSubmission): Promise<void> {
    await this.enqueueOnce([{ ...submission, prepared: await this.prepare(submission.owner, submission.input, 'product') }]);
  }

  /**
   * Records and enqueues checked jobs with derived ids: one already recorded is not recorded again,
   * and is enqueued again only if it never started (Bull ignores an id it holds).
   */
  private async enqueueOnce(prepared: Array<ClaimedSubmission & { prepared: PreparedJob; flow?: FlowLink }>): Promise<void> {
    const stored = prepared.map((item) => ({ item, ...this.stored(item.owner, item.jobId, item.prepared, undefined, item.flow) }));
    // Concurrent inserts share round trips (JobsRepository's group commit).
    const toAdd = await Promise.all(
      stored.map(async ({ item, record, bullJob }) => {
        try {
          await this.jobs.insert(record);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const existing = await this.jobs.findByIdUnscoped(item.jobId);
          if (existing?.status !== JobStatus.Waiting && existing?.status !== JobStatus.Delayed) return undefined;
        }
        return { queue: item.prepared.definition.queue, bullJob };
      }),
    );
    const byQueue = new Map<QueueName, Array<(typeof stored)[number]['bullJob']>>();
    for (const add of toAdd) if (add) byQueue.set(add.queue, [...(byQueue.get(add.queue) ?? []), add.bullJob]);
    for (const [queue, jobs] of byQueue) {
      try {
        await withTimeout(this.queues.get(queue).addBulk(jobs), ENQUEUE_TIMEOUT_MS);
      } catch (cause) {
        // The records stay: the parent's next attempt (or the reconcile sweep) enqueues what is missing.
        throw queueUnavailable(cause);
      }
    }
  }

  /** Checks type, identity, payload, outbound targets and callback; resolves the options (SubmissionCheck). */
  prepare(owner: Owner, input: SubmitJobInput, origin: SubmitOrigin = 'client'): Promise<PreparedJob> {
    return this.check.prepare(owner, input, origin);
  }

  /**
   * Admission control: a draining queue refuses new work (503); otherwise work beyond the queue's
   * backlog limit (waiting + delayed) is refused with 429. Room for `wanted` jobs is reserved
   * atomically (BacklogAdmission), so concurrent submits on any replica never overshoot the limit;
   * `wanted` 0 only looks. If Redis cannot answer (the producer connection fails commands at once
   * while it reconnects, see RedisConnections) nothing is admitted: 503 QUEUE_UNAVAILABLE.
   */
  private async admission(
    policy: EffectiveQueuePolicy,
    wanted: number,
  ): Promise<{ reservation: BacklogReservation; refusal: () => ConveyorError }> {
    let reservation: BacklogReservation;
    try {
      reservation = await withTimeout(this.backlog.reserve(policy.name, policy.backlogLimit, wanted), ENQUEUE_TIMEOUT_MS);
    } catch (error) {
      const none: BacklogReservation = { granted: 0, draining: false, backlog: 0, room: 0, release: async () => undefined };
      return { reservation: none, refusal: () => queueUnavailable(error) };
    }
    // Built only when a job is refused: an error (and its stack) per admitted submit is waste.
    return { reservation, refusal: () => (reservation.draining ? this.queueDraining(policy.name) : this.queueFull(policy)) };
  }

  /** Gives back a reservation's room; its jobs are in Bull now, or failed to get there. */
  private async release(reservation: BacklogReservation): Promise<void> {
    await reservation.release().catch((error: unknown) => {
      this.logger.warn(errorField(error), 'Backlog reservation not released (it expires by itself)');
    });
  }

  private queueFull(policy: EffectiveQueuePolicy): ConveyorError {
    return new ConveyorError(ErrorCode.QueueFull, `Queue ${policy.name} is full (${policy.backlogLimit} jobs waiting); retry later`, {
      retryAfterSeconds: Math.max(1, Math.ceil(policy.expectedDurationMs / 1000)),
      details: { queue: policy.name, backlogLimit: policy.backlogLimit },
    });
  }

  private queueDraining(queue: QueueName): ConveyorError {
    return new ConveyorError(ErrorCode.QueueDraining, `Queue ${queue} is draining: it finishes its jobs but takes no new ones`, {
      retryAfterSeconds: 60,
      details: { queue },
    });
  }

  /**
   * The record and the Bull job of one submission, sealed once for both stores: the payload and
   * the callback secret never reach MongoDB or Redis in plaintext (DataCipher).
   */
  private stored(
    owner: Owner,
    jobId: string,
    { definition, payload, options, policy, callback, requestId }: PreparedJob,
    scheduledRun?: ScheduledRun,
    flow?: FlowLink,
  ) {
    const data = this.cipher.sealNew(payload, jobId);
    const sealed =
      callback && callback.secret !== undefined
        ? { ...callback, secret: this.cipher.sealNew(callback.secret, jobId) }
        : (callback ?? undefined);
    const record = newJobRecord({
      jobId,
      ownerKey: ownerKey(owner),
      type: definition.type,
      queue: definition.queue,
      data,
      options,
      callback: sealed,
      scheduledRun,
      flow,
    });
    const bullJob = {
      name: definition.type,
      data: jobEnvelope(data, options, 1, sealed, record.ownerKey, flow !== undefined, requestId),
      opts: bullJobOptions(jobId, policy, options),
    };
    return { record, bullJob };
  }

  /** Records and enqueues one job; the record once both are done. */
  private async enqueue(owner: Owner, prepared: PreparedJob, scheduledRun?: ScheduledRun): Promise<JobRecord> {
    const jobId = scheduledRun ? scheduledRunJobId(scheduledRun) : randomUUID();
    const queueName = prepared.definition.queue;
    const { record, bullJob: job } = this.stored(owner, jobId, prepared, scheduledRun);
    await this.jobs.insert(record);
    const addedAt = Date.now();
    const adding = this.queues.get(queueName).add(job.name, job.data, job.opts);
    try {
      await withTimeout(adding, ENQUEUE_TIMEOUT_MS);
    } catch (cause) {
      const refused = await this.settleUnansweredAdd(queueName, [jobId], adding, cause, addedAt);
      if (refused.length === 0) return record;
      throw queueUnavailable(cause);
    }
    return record;
  }

  private async enqueueBatch(queueName: QueueName, jobs: BatchItem[]): Promise<BulkItemOutcome[]> {
    const stored = jobs.map(({ owner, jobId, prepared }) => this.stored(owner, jobId, prepared));
    const records = stored.map((s) => s.record);
    await this.jobs.insertMany(records);
    const addedAt = Date.now();
    const adding = this.queues.get(queueName).addBulk(stored.map((s) => s.bullJob));
    let refused: { ids: Set<string>; error: ConveyorError } | undefined;
    try {
      await withTimeout(adding, ENQUEUE_TIMEOUT_MS);
    } catch (cause) {
      const ids = jobs.map((j) => j.jobId);
      refused = { ids: new Set(await this.settleUnansweredAdd(queueName, ids, adding, cause, addedAt)), error: queueUnavailable(cause) };
    }
    const outcomes: BulkItemOutcome[] = [];
    for (const [i, { index, prepared, jobId }] of jobs.entries()) {
      if (refused?.ids.has(jobId)) outcomes.push({ index, error: refused.error });
      else outcomes.push({ index, job: await this.submitted(records[i], prepared) });
    }
    return outcomes;
  }

  /**
   * An add that went unanswered (Redis died or the connection dropped before its reply, or it
   * timed out) may have run all the same. The jobs that did land are accepted after all; the rest
   * are refused and their records deleted, and when Redis cannot say in time they are withdrawn
   * whenever they turn up (taken out, or stopped before their first step if a worker was quicker):
   * nothing refused runs. Returns the refused ids. A record a worker has already moved on (its
   * job landed, ran and left Bull meanwhile) is not deleted: that job counts as landed.
   */
  private async settleUnansweredAdd(
    queueName: QueueName,
    jobIds: string[],
    adding: Promise<unknown>,
    cause: unknown,
    addedAt: number,
  ): Promise<string[]> {
    const { landed, why } = await findLandedJobs(this.queues.get(queueName), jobIds, adding, cause, addedAt + UNCERTAIN_ADD_BUDGET_MS);
    if (landed === undefined) {
      this.logger.warn(
        { ...errorField(cause), why },
        `Add to ${queueName} unanswered: ${jobIds.length} job(s) refused, to be withdrawn if they landed`,
      );
      this.withdrawWhenReachable(queueName, jobIds, adding);
    }
    const notLanded = jobIds.filter((id) => !landed?.has(id));
    // If this delete fails, the reconciliation sweep finds records with no Bull job.
    const ranMeanwhile = new Set(await this.jobs.deleteUnqueued(notLanded));
    const refused = notLanded.filter((id) => !ranMeanwhile.has(id));
    const accepted = jobIds.length - refused.length;
    if (accepted > 0) this.logger.warn(`${accepted} job(s) of ${queueName} landed although their add went unanswered: accepted`);
    return refused;
  }

  /**
   * Once the add has settled, withdraws the jobs, retrying with backoff while Redis cannot answer,
   * for as long as this process lives (a restart forgets them: see docs/architecture.md).
   */
  private withdrawWhenReachable(queueName: QueueName, jobIds: string[], adding: Promise<unknown>): void {
    const attempt = async (delayMs: number): Promise<void> => {
      try {
        await Promise.all(jobIds.map((jobId) => this.control.withdrawRun(queueName, jobId)));
      } catch (error) {
        this.logger.warn(errorField(error), `Jobs refused with 503 not withdrawn from ${queueName} yet (retrying in ${delayMs} ms)`);
        setTimeout(() => void attempt(Math.min(2 * delayMs, WITHDRAW_RETRY_MAX_MS)), delayMs).unref();
      }
    };
    void adding.then(
      () => attempt(WITHDRAW_RETRY_MS),
      () => attempt(WITHDRAW_RETRY_MS),
    );
  }

  private async submitted(record: JobRecord, { policy, options }: PreparedJob): Promise<SubmittedJob> {
    const delayed = record.status === JobStatus.Delayed;
    const { queuePosition, estimatedWaitSeconds } = await this.waits.estimate(policy, options, delayed);
    return {
      jobId: record._id,
      queue: record.queue as QueueName,
      type: record.type,
      status: record.status as SubmittedJob['status'],
      queuePosition,
      estimatedWaitSeconds,
      createdAt: record.createdAt.toISOString(),
    };
  }
}

function queueUnavailable(cause: unknown): ConveyorError {
  return new ConveyorError(ErrorCode.QueueUnavailable, 'The job queue is unavailable; the job was not accepted. Retry later.', {
    cause,
    retryAfterSeconds: 5,
  });
}
