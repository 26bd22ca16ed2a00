import { BULL_BACKOFF_STRATEGY, JobCallback, JobEnvelope, QueuePolicy, ResolvedJobOptions } from '@conveyor/contracts';
import { JobOptions } from 'bull';

/** How Conveyor adds a job to Bull (retention from the queue's effective policy); submits and re-runs share it. */
export function bullJobOptions(
  jobId: string,
  policy: Pick<QueuePolicy, 'keepCompleted' | 'keepFailed'>,
  options: ResolvedJobOptions,
): JobOptions {
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

/**
 * How a service queue's job (a webhook delivery, a system task's run) is added: attempts, backoff
 * and retention from the queue's effective policy. It has no record, priority or per-job options.
 */
export function serviceJobOptions(jobId: string, policy: QueuePolicy): JobOptions {
  return {
    jobId,
    attempts: policy.attempts,
    backoff: { type: BULL_BACKOFF_STRATEGY, options: policy.backoff } as JobOptions['backoff'],
    removeOnComplete: policy.keepCompleted,
    removeOnFail: policy.keepFailed,
  };
}

export function jobEnvelope(
  payload: unknown,
  options: ResolvedJobOptions,
  run: number,
  callback: JobCallback | null | undefined,
  owner: string,
  inFlow = false,
  requestId?: string,
): JobEnvelope {
  return {
    payload,
    timeoutMs: options.timeoutMs,
    run,
    ...(callback ? { callback } : {}),
    owner,
    ...(inFlow ? { inFlow: true } : {}),
    ...(requestId ? { requestId } : {}),
  };
}
