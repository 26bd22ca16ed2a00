import { Injectable } from '@nestjs/common';
import { QueueName } from '@conveyor/contracts';
import { Job, JobCounts, Queue } from 'bull';
import { QueueRegistry } from './queue-registry.service';
import { isLocked } from './bull-probe';

// Bull's typings omit its Job class; fromJSON builds a Job from a job's Redis hash without a fetch.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BullJob = require('bull/lib/job') as { fromJSON(queue: Queue, json: Record<string, string>, jobId: string): Job };

/** Bull's job lists an operator can page through or clean. */
export type QueueJobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'paused';
export type CleanableState = 'waiting' | 'delayed' | 'completed' | 'failed';

/** Largest batch one clean call removes; bounded so a big queue never blocks Redis for long. */
export const CLEAN_BATCH = 500;

export interface QueueCounts extends JobCounts {
  paused: number;
}

/** A job as a queue listing shows it (from one Redis round trip for the whole page). */
export interface QueueJobView {
  jobId: string;
  type: string;
  attemptsMade: number;
  progress: unknown;
  failedReason: string | null;
  createdAt: string;
  processedAt: string | null;
  finishedAt: string | null;
}

/** What clear-stuck did to one job. */
export interface StuckJobOutcome {
  jobId: string;
  /** Bull's new state: waiting or delayed when it will be retried, failed otherwise. */
  state: 'waiting' | 'delayed' | 'failed';
  attemptsMade: number;
  run: number;
}

/** Bull's words for its lists, where they differ from Conveyor's. */
const BULL_LIST: Record<Exclude<CleanableState, 'delayed'>, 'wait' | 'completed' | 'failed'> = {
  waiting: 'wait',
  completed: 'completed',
  failed: 'failed',
};

/**
 * Operator actions on Bull itself (libs/queueing keeps Bull out of the API's controllers): counts,
 * job pages, pause, clean, clear and stuck-job recovery. Record updates that follow are the
 * caller's (the API's QueueActions), so this class stays about Redis.
 */
@Injectable()
export class QueueAdmin {
  constructor(private readonly queues: QueueRegistry) {}

  async counts(name: QueueName): Promise<QueueCounts & { isPaused: boolean }> {
    const queue = this.queues.get(name);
    const [counts, isPaused] = await Promise.all([
      queue.getJobCounts() as Promise<QueueCounts>,
      queue.isPaused(), // global: set by any process
    ]);
    return { ...counts, paused: counts.paused ?? 0, isPaused };
  }

  /** One page of a list, newest first for finished jobs, next-to-run first for the rest. */
  async jobs(name: QueueName, state: QueueJobState, page: number, limit: number): Promise<{ items: QueueJobView[]; total: number }> {
    const queue = this.queues.get(name);
    const start = (page - 1) * limit;
    // Waiting jobs of a paused queue sit in Bull's paused list; one of the two is always empty.
    const lists = state === 'waiting' ? ['wait', 'paused'] : [state];
    const asc = state === 'waiting' || state === 'paused' || state === 'delayed';
    const [ids, counts] = await Promise.all([
      (queue as QueueWithRanges).getRanges(lists, start, start + limit - 1, asc),
      queue.getJobCounts() as Promise<QueueCounts>,
    ]);
    // One MULTI for the whole page, never a round trip per job.
    const multi = queue.client.multi();
    for (const id of ids) multi.hgetall(queue.toKey(id));
    const hashes = ((await multi.exec()) ?? []).map(([, hash]) => hash as Record<string, string>);
    const items = ids
      .map((id, i) => ({ id, hash: hashes[i] }))
      .filter(({ hash }) => hash && Object.keys(hash).length > 0)
      .map(({ id, hash }) => toView(BullJob.fromJSON(queue, hash, id)));
    const total = state === 'waiting' ? counts.waiting + (counts.paused ?? 0) : (counts[state] ?? 0);
    return { items, total };
  }

  async pause(name: QueueName): Promise<void> {
    await this.queues.get(name).pause(); // global: every worker stops taking jobs
  }

  async resume(name: QueueName): Promise<void> {
    await this.queues.get(name).resume();
  }

  /**
   * Removes up to `limit` jobs of one state older than `olderThanMs`, in batches of CLEAN_BATCH.
   * Returns the removed ids. Waiting jobs of a paused queue sit in Bull's paused list; both count.
   */
  async clean(name: QueueName, state: CleanableState, olderThanMs: number, limit: number): Promise<string[]> {
    const queue = this.queues.get(name);
    if (state === 'delayed') return this.removeDelayed(queue, olderThanMs, limit);
    const lists = state === 'waiting' ? (['wait', 'paused'] as const) : ([BULL_LIST[state]] as const);
    const removed: string[] = [];
    for (const list of lists) {
      while (removed.length < limit) {
        const batch = Math.min(CLEAN_BATCH, limit - removed.length);
        const ids = (await queue.clean(olderThanMs, list as never, batch)) as unknown as Array<string | number>;
        removed.push(...ids.map(String));
        if (ids.length < batch) break;
      }
    }
    return removed;
  }

  /**
   * Bull's own clean cannot bound a delayed-set scan (it ranges by due time, not age), so delayed
   * jobs are read a batch at a time, oldest due first, and removed one by one.
   */
  private async removeDelayed(queue: Queue, olderThanMs: number, limit: number): Promise<string[]> {
    const cutoff = Date.now() - olderThanMs;
    const removed: string[] = [];
    let offset = 0;
    while (removed.length < limit) {
      const ids = await queue.client.zrange(queue.toKey('delayed'), offset, offset + CLEAN_BATCH - 1);
      if (ids.length === 0) break;
      const multi = queue.client.multi();
      for (const id of ids) multi.hget(queue.toKey(id), 'timestamp');
      const stamps = ((await multi.exec()) ?? []).map(([, stamp]) => Number(stamp));
      let kept = 0;
      for (const [i, id] of ids.entries()) {
        const job = removed.length < limit && stamps[i] <= cutoff ? await queue.getJob(id) : null;
        if (job) {
          await job.remove();
          removed.push(id);
        } else {
          kept++;
        }
      }
      offset += kept; // removed jobs no longer take a rank
      if (ids.length < CLEAN_BATCH) break;
    }
    return removed;
  }

  /**
   * Active jobs older than `olderThanMs` whose lock is gone (their worker died and no stalled check
   * has run): moved on as if their attempt failed, so Bull retries them per their attempts and
   * backoff, or, with `discard`, fails them for good.
   */
  async releaseStuck(name: QueueName, olderThanMs: number, discard: boolean): Promise<StuckJobOutcome[]> {
    const queue = this.queues.get(name);
    const active: Job[] = await queue.getActive();
    const cutoff = Date.now() - olderThanMs;
    const outcomes: StuckJobOutcome[] = [];
    for (const job of active) {
      if (!job || (job.processedOn ?? 0) > cutoff) continue;
      if (await isLocked(queue, job)) continue; // a worker holds it
      if (discard) job.discard();
      await job.moveToFailed({ message: 'Stuck: active with no worker holding it (cleared by an operator)' }, true);
      const state = (await job.getState()) as string;
      outcomes.push({
        jobId: String(job.id),
        state: state === 'delayed' ? 'delayed' : state === 'failed' ? 'failed' : 'waiting',
        attemptsMade: job.attemptsMade,
        run: (job.data as { run?: number } | undefined)?.run ?? 1,
      });
    }
    return outcomes;
  }
}

type QueueWithRanges = Queue & { getRanges(types: string[], start: number, end: number, asc: boolean): Promise<string[]> };

function toView(job: Job): QueueJobView {
  const at = (ms: number | undefined | null) => (ms ? new Date(Number(ms)).toISOString() : null);
  return {
    jobId: String(job.id),
    type: job.name,
    attemptsMade: job.attemptsMade,
    progress: job.progress(),
    failedReason: job.failedReason ?? null,
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: at(job.processedOn),
    finishedAt: at(job.finishedOn),
  };
}
