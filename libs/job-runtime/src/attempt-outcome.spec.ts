import { JobCancelledError, JobTimeoutError, PermanentJobError } from './job-errors';
import { attemptOutcome } from './attempt-outcome';

describe(attemptOutcome.name, () => {
  const job = (attemptsMade: number, attempts?: number) => ({ attemptsMade, opts: { attempts } });

  it('is retried while attempts are left, failed on the last one', () => {
    expect(attemptOutcome(job(0, 3), new Error('boom'))).toBe('retried');
    expect(attemptOutcome(job(1, 3), new JobTimeoutError(10))).toBe('retried');
    expect(attemptOutcome(job(2, 3), new Error('boom'))).toBe('failed');
    expect(attemptOutcome(job(0), new Error('boom'))).toBe('failed');
  });

  it('is failed at once for a permanent error and cancelled for a cancellation', () => {
    expect(attemptOutcome(job(0, 3), new PermanentJobError('refused'))).toBe('failed');
    expect(attemptOutcome(job(0, 3), new JobCancelledError())).toBe('cancelled');
  });
});
