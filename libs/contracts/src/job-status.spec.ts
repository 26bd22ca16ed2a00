import { TransitionPhase, runClosingSeq, transitionSeq } from './job-status';

describe(transitionSeq.name, () => {
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
