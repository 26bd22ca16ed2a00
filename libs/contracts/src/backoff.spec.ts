import { backoffDelay, backoffSchedule } from './backoff';

describe(backoffDelay.name, () => {
  it('waits the same delay after every failure for fixed', () => {
    expect(backoffSchedule({ type: 'fixed', delayMs: 500 }, 4)).toEqual([500, 500, 500]);
  });

  it('doubles from the base delay for exponential', () => {
    expect(backoffSchedule({ type: 'exponential', delayMs: 1000 }, 5)).toEqual([1000, 2000, 4000, 8000]);
  });

  it('caps exponential delays at maxDelayMs, or at an hour by default', () => {
    expect(backoffSchedule({ type: 'exponential', delayMs: 1000, maxDelayMs: 3000 }, 5)).toEqual([1000, 2000, 3000, 3000]);
    expect(backoffDelay({ type: 'exponential', delayMs: 1000 }, 60)).toBe(60 * 60 * 1000);
  });

  it('walks a list and then repeats its last delay (e.g. 30 s, 2 min, 5 min)', () => {
    expect(backoffSchedule({ type: 'list', delaysMs: [30_000, 120_000, 300_000] }, 6)).toEqual([
      30_000, 120_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('has no delays for a single attempt', () => {
    expect(backoffSchedule({ type: 'fixed', delayMs: 10 }, 1)).toEqual([]);
  });

  it('treats a failure count below 1 as the first failure', () => {
    expect(backoffDelay({ type: 'list', delaysMs: [7, 8] }, 0)).toBe(7);
  });
});
