import { QueuePolicy } from '@conveyor/contracts';

/** The queue of viral-ideas analysis runs. */
export const VIRAL_ANALYSIS_QUEUE = 'viral-analysis';

/**
 * Seed 000: three attempts, exponential backoff from one minute. A run calls three services for up
 * to 51 profiles, so the time limit is generous and concurrency low.
 */
export const viralAnalysisQueuePolicy: QueuePolicy = {
  name: VIRAL_ANALYSIS_QUEUE,
  description: 'Viral-ideas analyses of Instagram competitors',
  concurrency: 2,
  attempts: 3,
  maxAttempts: 5,
  backoff: { type: 'exponential', delayMs: 60_000 },
  timeoutMs: 15 * 60_000,
  maxTimeoutMs: 30 * 60_000,
  backlogLimit: 10_000,
  keepCompleted: 1_000,
  keepFailed: 5_000,
  expectedDurationMs: 5 * 60_000,
};
