import { videoAnalysisQueuePolicy } from './video-analysis.queue';

/**
 * Seconds until an analysis completes, from its own rate (elapsed × remaining ÷ done); before it
 * has made progress, the queue's expected duration. Both the read and the webhooks use it.
 */
export function estimateCompletionSeconds(percent: number, startedAtMs: number | null, now = Date.now()): number {
  if (percent <= 0 || startedAtMs === null) return Math.round(videoAnalysisQueuePolicy.expectedDurationMs / 1000);
  const elapsed = (now - startedAtMs) / 1000;
  return Math.max(0, Math.round((elapsed * (100 - percent)) / percent));
}
