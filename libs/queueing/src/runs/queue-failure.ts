/** Bull's failedReason for a job its stalled checker failed past `maxStalledCount` (RELIABILITY §1). */
export const BULL_STALLED_REASON = 'job stalled more than allowable limit';

/** Error codes of jobs Bull failed itself, without a worker recording why. */
export enum QueueFailureCode {
  /** Bull failed the job past its stall limit, without calling the processor. */
  Stalled = 'STALLED',
  /** Bull failed the job but the worker's record of it was lost. */
  FailedInQueue = 'FAILED_IN_QUEUE',
}

/** The job error to show for a job Bull failed, before (or instead of) a worker's record of it. */
export function queueFailure(failedReason: string | undefined): { message: string; code: QueueFailureCode } {
  const stalled = failedReason === BULL_STALLED_REASON;
  return { message: failedReason || 'Failed in the queue', code: stalled ? QueueFailureCode.Stalled : QueueFailureCode.FailedInQueue };
}
