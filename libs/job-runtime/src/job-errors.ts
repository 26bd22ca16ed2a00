/**
 * A failure that retrying cannot fix (a refused target, a payload the handler cannot use). The
 * processor discards the Bull job so no attempts are spent on it, then rethrows.
 */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The attempt ran past its job's timeout; it counts as a failed attempt and may be retried. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Attempt timed out after ${timeoutMs} ms`);
  }
}

/** The client cancelled the job; it stops at once or at its next step and is never retried. */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
  constructor() {
    super('Cancelled at the client’s request');
  }
}

/**
 * This execution no longer owns its job: its Bull lock expired or was taken (a stalled check gave
 * the job to another worker, or to this one again). It stops at once or at its next step and
 * writes nothing more: the job's record, hooks and webhooks belong to the execution that owns it.
 */
export class JobLockLostError extends Error {
  override readonly name = 'JobLockLostError';
  constructor(jobId: string) {
    super(`Job ${jobId}: this execution lost its lock to another; it stops without recording anything`);
  }
}
