import type { Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';

/** The hash fields Bull hands over with a job it has just locked for this worker (HGETALL). */
type JobData = Record<string, string> | null | undefined;

/** Bull's hook between taking a job (locked) and running it; its typings leave it out. */
interface TakingQueue {
  nextJobFromJobData(jobData: JobData, jobId?: string): Job | null | Promise<Job | null>;
}

/**
 * Makes a consumer pass by a job Bull settled before this worker took it. A worker whose event
 * loop is blocked still has the BRPOPLPUSH it sent before the block waiting on Redis: when the
 * stalled check puts a job back in `wait`, Redis may hand it to that read, and the job then sits
 * in `active` without a lock until the worker wakes. Meanwhile another worker's stalled check can
 * fail it at the stall limit; on waking, Bull locks and returns it all the same (its moveToActive
 * does not look at the job's state). Running it would do the work of a job recorded failed, and
 * Bull's moves after it would write over the failure; so the job is passed by before any of that:
 * out of `active` if it is there, its lock released, and the consumer goes on to the next job.
 */
export function passBySettledJobs(queue: Queue, logger: Logger): void {
  const taking = queue as unknown as TakingQueue;
  const take = taking.nextJobFromJobData.bind(queue);
  taking.nextJobFromJobData = (jobData, jobId) => {
    if (!jobId || !jobData?.finishedOn) return take(jobData, jobId);
    logger.warn(`Job ${jobId} on queue ${queue.name} was settled before this worker took it (its event loop was blocked?); not run`);
    return passBy(queue, jobId).then(() => take(null, jobId));
  };
}

/** Undoes what taking the job did: its place in `active` (if any) and the lock, if still ours. */
async function passBy(queue: Queue, jobId: string): Promise<void> {
  const job = await queue.getJob(jobId);
  await queue.client.lrem(queue.toKey('active'), 1, jobId);
  await job?.releaseLock();
}
