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
