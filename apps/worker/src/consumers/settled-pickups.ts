import type { Logger } from '@nestjs/common';
import { lockTokenOf } from '@conveyor/queueing';
import type { Job, Queue } from 'bull';
import { noteStalledCountAtTake } from '../runtime/stalled-count-at-take';

/** The hash fields Bull hands over with a job it has just locked for this worker (HGETALL). */
type JobData = Record<string, string> | null | undefined;

/** Bull's hook between taking a job (locked) and running it; its typings leave it out. */
interface TakingQueue {
  nextJobFromJobData(jobData: JobData, jobId?: string): Job | null | Promise<Job | null>;
}

/**
 * Drops the lock only if this consumer's token still holds it; drops the job's hash only if it is
 * the stub a late take wrote into a job Bull had already deleted (nothing but `processedOn`).
 * KEYS lock, job hash; ARGV token.
 */
const PASS_BY_LUA = `
if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("DEL", KEYS[1]) end
if redis.call("HEXISTS", KEYS[2], "timestamp") == 0 then redis.call("DEL", KEYS[2]) end
return 1
`;

/**
 * Makes a consumer pass by a job Bull settled before this worker took it. A worker whose event
 * loop is blocked still has the BRPOPLPUSH it sent before the block waiting on Redis: when the
 * stalled check puts a job back in `wait`, Redis may hand it to that read, and the job then sits
 * in `active` without a lock until the worker wakes. Meanwhile another worker's stalled check can
 * fail it at the stall limit (or an operator's clean, or retention, delete it); on waking, Bull
 * locks and returns it all the same (its moveToActive does not look at the job's state, and
 * writes `processedOn` into whatever hash is there, or a new one). Running it would do the work
 * of a job recorded failed, and Bull's moves after it would write over the failure; so the job is
 * passed by before any of that: out of `active` if it is there, its lock released (if still this
 * consumer's), a stub hash removed, and the consumer goes on to the next job.
 */
export function passBySettledJobs(queue: Queue, logger: Logger): void {
  const taking = queue as unknown as TakingQueue;
  const take = taking.nextJobFromJobData.bind(queue);
  taking.nextJobFromJobData = (jobData, jobId) => {
    // Every job Bull adds has `timestamp`; a settled one also has `finishedOn`.
    if (!jobId || !jobData || (jobData.timestamp && !jobData.finishedOn)) return takeNotingStalledCount(take, jobData, jobId);
    logger.warn(`Job ${jobId} on queue ${queue.name} was settled before this worker took it (its event loop was blocked?); not run`);
    return passBy(queue, jobId).then(() => take(null, jobId));
  };
}

/** Takes the job as Bull would, noting its stalled count from the hash Bull handed over. */
async function takeNotingStalledCount(
  take: TakingQueue['nextJobFromJobData'],
  jobData: JobData,
  jobId: string | undefined,
): Promise<Job | null> {
  const job = await take(jobData, jobId);
  if (job && jobData) noteStalledCountAtTake(job, jobData);
  return job;
}

async function passBy(queue: Queue, jobId: string): Promise<void> {
  await queue.client.lrem(queue.toKey('active'), 1, jobId);
  await queue.client.eval(PASS_BY_LUA, 2, queue.toKey(`${jobId}:lock`), queue.toKey(jobId), lockTokenOf(queue));
}
