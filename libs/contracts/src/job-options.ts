import { BackoffSpec, MAX_BACKOFF_DELAY_MS } from './backoff';
import { FieldError } from './conveyor-error';
import { DEFAULT_PRIORITY, PRIORITY_RULE, resolvePriority } from './priority';
import { QueuePolicy } from './queue-policy';
import { BackoffInput, JobOptionsInput, MAX_DELAY_MS, MAX_LISTED_BACKOFF_DELAYS, ResolvedJobOptions } from './submit-job';
import { validationFailed } from './validation';

export const MIN_TIMEOUT_MS = 100;

/**
 * The options a job runs with: the client's choices where given, its queue's defaults otherwise,
 * refused (400, per field) where they break the queue's caps. Fields are named under
 * `fieldPrefix` (`options.` in a submission; none in a queue's config).
 */
export function resolveJobOptions(policy: QueuePolicy, input: JobOptionsInput = {}, fieldPrefix = 'options.'): ResolvedJobOptions {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) =>
    errors.push({ field: `${fieldPrefix}${field}`, message: `${fieldPrefix}${field} ${message}` });

  const priority = input.priority === undefined ? DEFAULT_PRIORITY : resolvePriority(input.priority);
  if (priority === undefined) fail('priority', PRIORITY_RULE);

  const delayMs = input.delay ?? 0;
  if (!isIntIn(delayMs, 0, MAX_DELAY_MS)) fail('delay', `must be an integer number of milliseconds from 0 to ${MAX_DELAY_MS}`);

  const attempts = input.attempts ?? policy.attempts;
  if (!isIntIn(attempts, 1, policy.maxAttempts))
    fail('attempts', `must be an integer from 1 to ${policy.maxAttempts} on queue ${policy.name}`);

  const timeoutMs = input.timeout ?? policy.timeoutMs;
  if (!isIntIn(timeoutMs, MIN_TIMEOUT_MS, policy.maxTimeoutMs)) {
    fail('timeout', `must be an integer number of milliseconds from ${MIN_TIMEOUT_MS} to ${policy.maxTimeoutMs} on queue ${policy.name}`);
  }

  const backoff = input.backoff === undefined ? policy.backoff : toBackoffSpec(input.backoff);
  if (!backoff) {
    fail(
      'backoff',
      `must be { type: "fixed" | "exponential", delay } or { type: "list", delays: [...] } with delays from 0 to ${MAX_BACKOFF_DELAY_MS} ms (at most ${MAX_LISTED_BACKOFF_DELAYS} listed)`,
    );
  }

  if (errors.length > 0) throw validationFailed(errors);
  return { priority: priority!, delayMs, attempts, backoff: backoff!, timeoutMs };
}

function toBackoffSpec(input: BackoffInput): BackoffSpec | undefined {
  const okDelay = (d: unknown) => isIntIn(d, 0, MAX_BACKOFF_DELAY_MS);
  if (typeof input !== 'object' || input === null) return undefined;
  if ((input.type === 'fixed' || input.type === 'exponential') && okDelay(input.delay)) {
    return { type: input.type, delayMs: input.delay };
  }
  if (
    input.type === 'list' &&
    Array.isArray(input.delays) &&
    input.delays.length >= 1 &&
    input.delays.length <= MAX_LISTED_BACKOFF_DELAYS &&
    input.delays.every(okDelay)
  ) {
    return { type: 'list', delaysMs: [...input.delays] };
  }
  return undefined;
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
