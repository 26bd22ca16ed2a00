import { Injectable } from '@nestjs/common';
import { JobRecord, sealedCallback } from '@conveyor/database';
import { DataCipher, QueueName, ResolvedJobOptions } from '@conveyor/contracts';
import { Job, Queue } from 'bull';
import { bullJobOptions, jobEnvelope } from './bull-job-options';
import { QueueRegistry } from './queue-registry.service';
import { QueueSettings } from './queue-settings.service';
import { queueKeys } from './redis/redis-keys';
import { BullProbe } from './bull-probe';

/** How long a cancel request waits for a worker to notice it (the job's own timeout is shorter). */
const CANCEL_REQUEST_TTL_SECONDS = 24 * 60 * 60;

export type RemoveOutcome = 'removed' | 'running' | 'finished' | 'missing';

/**
 * Moves a waiting job to another priority atomically, as Bull's own add would have placed it:
 * after every waiting job of the same or a more urgent priority. Returns 0 when the job is not
 * waiting (taken by a worker meanwhile, delayed, or gone).
 */
const REPRIORITIZE_LUA = `
local waitKey, pausedKey, metaPausedKey, priorityKey, jobKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local jobId, priority = ARGV[1], tonumber(ARGV[2])
local target = waitKey
if redis.call("EXISTS", metaPausedKey) == 1 then target = pausedKey end
if redis.call("LREM", target, 1, jobId) == 0 then return 0 end
redis.call("ZADD", priorityKey, priority, jobId)
local count = redis.call("ZCOUNT", priorityKey, 0, priority)
local len = redis.call("LLEN", target)
local id = redis.call("LINDEX", target, len - (count - 1))
if id then redis.call("LINSERT", target, "BEFORE", id, jobId) else redis.call("RPUSH", target, jobId) end
redis.call("HSET", jobKey, "priority", priority)
return 1
`;

/** Bull-side job control for the API: cancel, re-run, re-prioritise. The worker reads cancel requests. */
@Injectable()
export class JobControl {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly settings: QueueSettings,
    private readonly probe: BullProbe,
    private readonly cipher: DataCipher,
  ) {}

  /** Removes a job that no worker holds. A job a worker has taken cannot be removed (its lock). */
  async removeIfQueued(queueName: string, jobId: string): Promise<RemoveOutcome> {
    const seen = await this.probe.find(queueName, jobId);
    if (!seen) return 'missing';
    if (seen.state === 'completed' || seen.state === 'failed') return 'finished';
    if (seen.state === 'active') return 'running';
    try {
      await seen.job.remove();
      return 'removed';
    } catch (error) {
      // Bull refuses to remove a locked job: a worker took it between the two calls.
      if (error instanceof Error && error.message.startsWith('Could not remove job')) return 'running';
      throw error;
    }
  }

  /** Bull's state of a job, or 'missing' when Redis no longer has it. */
  async stateOf(queueName: string, jobId: string): Promise<string> {
    return (await this.probe.stateOf(queueName, jobId)) ?? 'missing';
  }

  /** Asks whichever worker runs the job to stop it; seen at once (pub/sub) or at its next step. */
  async requestCancel(queueName: string, jobId: string): Promise<void> {
    const queue = this.queues.get(queueName);
    await queue.client
      .multi()
      .set(cancelKey(queue, jobId), '1', 'EX', CANCEL_REQUEST_TTL_SECONDS)
      .publish(cancelChannel(queue), jobId)
      .exec();
  }

  /**
   * What a running execution learns at a step boundary, in one round trip: whether the job's
   * cancel was requested, and whether the job is still its own: the lock holds `lockToken` (this
   * worker's queue token) and Bull's `processedOn` is still the one of this execution's pickup
   * (a later pickup, even by this same worker, writes a new one).
   */
  async boundary(
    queueName: string,
    jobId: string,
    lockToken: string,
    processedOn: number | undefined,
  ): Promise<{ cancelRequested: boolean; lockHeld: boolean }> {
    const queue = this.queues.get(queueName);
    const jobKey = queue.toKey(jobId);
    const replies = await queue.client.pipeline().mget(cancelKey(queue, jobId), `${jobKey}:lock`).hget(jobKey, 'processedOn').exec();
    // An error reply (LOADING, READONLY in a failover) is Redis failing, not the lock being lost.
    const failed = replies?.find(([error]) => error)?.[0];
    if (!replies || failed) throw failed ?? new Error('Redis answered no step-boundary replies');
    const [cancel, lock] = replies[0][1] as [string | null, string | null];
    const pickedUpAt = replies[1][1] as string | null;
    const samePickup = processedOn === undefined || pickedUpAt === String(processedOn);
    return { cancelRequested: cancel !== null, lockHeld: lock === lockToken && samePickup };
  }

  /**
   * Notes that a run's handler returned `sealedResult`, before anything else is written: a
   * redelivery of the run (its worker died before recording it or telling Bull) completes from
   * it instead of running the handler again. Best effort: Redis down means no note.
   */
  async noteRunDone(queueName: string, jobId: string, run: number, sealedResult: unknown): Promise<void> {
    const queue = this.queues.get(queueName);
    await queue.client
      .set(queueKeys(queue).runDone(jobId, run), JSON.stringify({ result: sealedResult ?? null }), 'EX', RUN_DONE_TTL_SECONDS)
      .catch(() => undefined);
  }

  /** The note of a run whose handler returned, if there is one. */
  async runDone(queueName: string, jobId: string, run: number): Promise<{ result: unknown } | undefined> {
    const queue = this.queues.get(queueName);
    const note = await queue.client.get(queueKeys(queue).runDone(jobId, run));
    return note ? (JSON.parse(note) as { result: unknown }) : undefined;
  }

  /**
   * Gives a job one attempt more, once per call up to `max` per run: an attempt a downstream
   * service's open circuit stopped before it called anything is deferred, not spent. Bull decides
   * retries from the job's options in memory and reads them from Redis at the next pickup, so both
   * are changed. Returns false once the job has had `max` such attempts (they count from then on).
   */
  async deferAttempt(job: Job, max: number): Promise<boolean> {
    const opts = job.opts as Job['opts'] & { conveyorDeferrals?: number };
    const deferrals = opts.conveyorDeferrals ?? 0;
    if (deferrals >= max) return false;
    opts.attempts = (opts.attempts ?? 1) + 1;
    opts.conveyorDeferrals = deferrals + 1;
    await job.queue.client.hset(job.queue.toKey(String(job.id)), 'opts', JSON.stringify(opts));
    return true;
  }

  /** How often Bull's stalled checker has put this job back (0 for a first delivery). */
  async stalledCount(queueName: string, jobId: string): Promise<number> {
    const queue = this.queues.get(queueName);
    return Number(await queue.client.hget(queue.toKey(jobId), 'stalledCounter')) || 0;
  }

  async isCancelRequested(queueName: string, jobId: string): Promise<boolean> {
    const queue = this.queues.get(queueName);
    return (await queue.client.exists(cancelKey(queue, jobId))) === 1;
  }

  async clearCancelRequest(queueName: string, jobId: string): Promise<void> {
    const queue = this.queues.get(queueName);
    await queue.client.del(cancelKey(queue, jobId));
  }

  /** Channel the worker subscribes to for a queue's cancel requests. */
  cancelChannel(queueName: string): string {
    return cancelChannel(this.queues.get(queueName));
  }

  /** Enqueues the next run of a finished job under the same id, replacing Bull's old entry. */
  async enqueueRun(record: JobRecord, run: number): Promise<void> {
    const queue = this.queues.get(record.queue);
    // Bull silently ignores an add whose id still exists (bull#1828).
    await (await this.probe.find(record.queue, record._id))?.job.remove();
    // A cancel request the last run never saw must not stop this one.
    await queue.client.del(cancelKey(queue, record._id));
    await this.addRun(record, run, 0);
  }

  /**
   * Enqueues a record's current run again as it was (same id, run, priority and what is left of
   * its delay) after Redis lost it. Bull ignores the add if the job is there after all.
   */
  async restoreRun(record: JobRecord): Promise<void> {
    const delayMs = record.runAt ? Math.max(0, record.runAt.getTime() - Date.now()) : 0;
    await this.addRun(record, record.run ?? 1, delayMs);
  }

  /**
   * Takes a restored run back out of Bull when its record moved on meanwhile (a cancel that found
   * no Bull job and recorded `cancelled`, a retry): asks a worker that already took it to stop.
   */
  async withdrawRun(queueName: string, jobId: string): Promise<void> {
    if ((await this.removeIfQueued(queueName, jobId)) === 'running') await this.requestCancel(queueName, jobId);
  }

  /** Adds a record's run to Bull, with the record's options and priority. */
  private async addRun(record: JobRecord, run: number, delayMs: number): Promise<void> {
    const queue = this.queues.get(record.queue);
    const options: ResolvedJobOptions = { ...record.options, priority: record.priority, delayMs };
    const policy = await this.settings.policy(record.queue as QueueName);
    // Sealed as stored; a record from before encryption (plaintext) is sealed now.
    const data = this.cipher.seal(record.data, record._id);
    const callback = sealedCallback(this.cipher, record.callback, record._id);
    const envelope = jobEnvelope(data, options, run, callback, record.ownerKey, record.flow != null);
    await queue.add(record.type, envelope, bullJobOptions(record._id, policy, options));
  }

  /** Moves a waiting job to a new priority; false when it is no longer waiting. */
  async reprioritize(queueName: string, jobId: string, priority: number): Promise<boolean> {
    const queue = this.queues.get(queueName);
    const keys = ['wait', 'paused', 'meta-paused', 'priority', jobId].map((k) => queue.toKey(k));
    const moved = await queue.client.eval(REPRIORITIZE_LUA, keys.length, ...keys, jobId, String(priority));
    return moved === 1;
  }
}

/** Longer than any redelivery takes to come back (the stalled check runs every few seconds). */
const RUN_DONE_TTL_SECONDS = 24 * 60 * 60;

function cancelKey(queue: Queue, jobId: string): string {
  return queueKeys(queue).cancel(jobId);
}

function cancelChannel(queue: Queue): string {
  return queueKeys(queue).cancelChannel;
}
