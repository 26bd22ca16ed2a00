import { BackoffSpec } from './backoff';
import { QueuePolicy } from './queue-policy';

/** Bull's rate limiter: at most `max` jobs started per `durationMs`, across all workers. */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/**
 * What an operator may change about a queue at run time (PUT /api/v1/queues/:name/config). Stored
 * in MongoDB; anything left out keeps the queue policy's default.
 */
export interface QueueOverrides {
  concurrency?: number;
  attempts?: number;
  backoff?: BackoffSpec;
  timeoutMs?: number;
  backlogLimit?: number;
  rateLimit?: RateLimit;
  keepCompleted?: number;
  keepFailed?: number;
}

/** A queue's policy with its overrides applied: what producers and workers actually use. */
export interface EffectiveQueuePolicy extends QueuePolicy {
  rateLimit: RateLimit | null;
}

export const MAX_QUEUE_CONCURRENCY = 100;

export function effectivePolicy(defaults: QueuePolicy, overrides: QueueOverrides = {}): EffectiveQueuePolicy {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined && v !== null)) as QueueOverrides;
  return { ...defaults, ...defined, rateLimit: defined.rateLimit ?? null };
}
