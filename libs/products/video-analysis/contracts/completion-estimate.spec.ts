import { estimateCompletionSeconds } from './completion-estimate';
import { videoAnalysisQueuePolicy } from './video-analysis.queue';

describe('estimateCompletionSeconds', () => {
  it('extrapolates the run’s own rate', () => {
    expect(estimateCompletionSeconds(25, 0, 60_000)).toBe(180);
    expect(estimateCompletionSeconds(100, 0, 60_000)).toBe(0);
  });

  it('falls back to the queue’s expected duration before any progress', () => {
    const expected = videoAnalysisQueuePolicy.expectedDurationMs / 1000;
    expect(estimateCompletionSeconds(0, 0, 60_000)).toBe(expected);
    expect(estimateCompletionSeconds(40, null)).toBe(expected);
  });
});
