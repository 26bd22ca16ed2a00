import { JobStatus, TransitionPhase, canTransition, runClosingSeq, transitionSeq } from './job-status';

const at = (status: JobStatus, attempt: number, phase: TransitionPhase) => ({ status, seq: transitionSeq(attempt, phase) });

describe(canTransition.name, () => {
  it('moves a job forward through an attempt', () => {
    expect(canTransition(at(JobStatus.Waiting, 1, TransitionPhase.Queued), transitionSeq(1, TransitionPhase.Running))).toBe(true);
    expect(canTransition(at(JobStatus.Active, 1, TransitionPhase.Running), transitionSeq(1, TransitionPhase.Settled))).toBe(true);
  });

  it('lets a failed attempt hand over to the next one, which may start and finish', () => {
    const retrying = at(JobStatus.Delayed, 2, TransitionPhase.Queued);
    expect(canTransition(at(JobStatus.Active, 1, TransitionPhase.Running), retrying.seq)).toBe(true);
    expect(canTransition(retrying, transitionSeq(2, TransitionPhase.Running))).toBe(true);
  });

  it('refuses a late "active" after the attempt finished', () => {
    expect(canTransition(at(JobStatus.Delayed, 2, TransitionPhase.Queued), transitionSeq(1, TransitionPhase.Running))).toBe(false);
  });

  it('refuses a replay of the same transition', () => {
    const active = at(JobStatus.Active, 1, TransitionPhase.Running);
    expect(canTransition(active, active.seq)).toBe(false);
  });

  it.each([JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled])('never leaves %s, even for a higher seq', (status) => {
    expect(canTransition(at(status, 1, TransitionPhase.Settled), transitionSeq(5, TransitionPhase.Running))).toBe(false);
  });

  it('orders every transition of every attempt strictly', () => {
    const seqs = [1, 2, 3].flatMap((a) =>
      [TransitionPhase.Queued, TransitionPhase.Running, TransitionPhase.Settled].map((p) => transitionSeq(a, p)),
    );
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('refuses attempt and run numbers below 1', () => {
    expect(() => transitionSeq(0, TransitionPhase.Queued)).toThrow(RangeError);
    expect(() => transitionSeq(1, TransitionPhase.Queued, 0)).toThrow(RangeError);
  });

  it('puts every transition of a retried run above the whole previous run', () => {
    const lastOfRun1 = transitionSeq(1000, TransitionPhase.Settled, 1);
    expect(transitionSeq(1, TransitionPhase.Queued, 2)).toBeGreaterThan(lastOfRun1);
    expect(transitionSeq(1, TransitionPhase.Queued)).toBe(transitionSeq(1, TransitionPhase.Queued, 1));
  });
});

describe(runClosingSeq.name, () => {
  it('is above every attempt of its run and below the next run', () => {
    expect(runClosingSeq(1)).toBeGreaterThan(transitionSeq(10_000, TransitionPhase.Settled, 1));
    expect(runClosingSeq(1)).toBeLessThan(transitionSeq(1, TransitionPhase.Queued, 2));
    expect(runClosingSeq(3)).toBeGreaterThan(transitionSeq(50, TransitionPhase.Settled, 3));
    expect(runClosingSeq(3)).toBeLessThan(transitionSeq(1, TransitionPhase.Queued, 4));
  });
});
