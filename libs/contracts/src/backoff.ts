/**
 * Retry delay schedules. Bull only knows fixed and exponential delays, so every job carries
 * `{ type: 'conveyor', options: BackoffSpec }` and the worker's queues compute the delay here:
 * one schedule function, used by the worker and unit-tested.
 */
export type BackoffSpec =
  { type: 'fixed'; delayMs: number } | { type: 'exponential'; delayMs: number; maxDelayMs?: number } | { type: 'list'; delaysMs: number[] };

/** Name of the custom strategy registered in Bull's `settings.backoffStrategies`. */
export const BULL_BACKOFF_STRATEGY = 'conveyor';

export const MAX_BACKOFF_DELAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_EXPONENTIAL_CAP_MS = 60 * 60 * 1000;

/**
 * Delay before the next attempt, after `failedAttempts` attempts have failed (1 after the first
 * failure). Exponential doubles from `delayMs`; a list repeats its last entry once exhausted.
 */
export function backoffDelay(spec: BackoffSpec, failedAttempts: number): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  switch (spec.type) {
    case 'fixed':
      return spec.delayMs;
    case 'exponential': {
      const cap = Math.min(spec.maxDelayMs ?? DEFAULT_EXPONENTIAL_CAP_MS, MAX_BACKOFF_DELAY_MS);
      // 2 ** 40 already dwarfs any cap; clamping the exponent keeps the product finite.
      return Math.min(cap, spec.delayMs * 2 ** Math.min(n - 1, 40));
    }
    case 'list':
      return spec.delaysMs.length === 0 ? 0 : spec.delaysMs[Math.min(n - 1, spec.delaysMs.length - 1)];
  }
}

/** Every delay a job with `attempts` attempts can wait, in order (attempts − 1 entries). */
export function backoffSchedule(spec: BackoffSpec, attempts: number): number[] {
  return Array.from({ length: Math.max(0, attempts - 1) }, (_, i) => backoffDelay(spec, i + 1));
}
