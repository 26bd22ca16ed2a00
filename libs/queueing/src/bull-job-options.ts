import { BULL_BACKOFF_STRATEGY, JobCallback, JobEnvelope, QueueName, ResolvedJobOptions, queuePolicy } from '@conveyor/contracts';
import { JobOptions } from 'bull';

/** How Conveyor adds a job to Bull; the producer and re-runs (retry) use the same options. */
export function bullJobOptions(jobId: string, queue: QueueName, options: ResolvedJobOptions): JobOptions {
  const policy = queuePolicy(queue);
  return {
    jobId,
    priority: options.priority,
    delay: options.delayMs,
    attempts: options.attempts,
    // One schedule function for every kind of backoff (see backoff.ts).
    backoff: { type: BULL_BACKOFF_STRATEGY, options: options.backoff } as JobOptions['backoff'],
    // No Bull `timeout`: it fails the attempt but leaves the handler running (bull#486); the
    // worker's step runner enforces the timeout with an abort signal instead.
    removeOnComplete: policy.keepCompleted,
    removeOnFail: policy.keepFailed,
  };
}

export function jobEnvelope(payload: unknown, options: ResolvedJobOptions, run: number, callback?: JobCallback | null): JobEnvelope {
  return { payload, timeoutMs: options.timeoutMs, run, ...(callback ? { callback } : {}) };
}
