import { QueuePolicy } from '@conveyor/contracts';

/** Seed 003's queue: both job types run on it. */
export const WEBSITE_CONTENT_QUEUE = 'amb-jobs';

/**
 * A website analysis fetches up to five pages and calls the generation service a dozen times; a
 * post is one call and a save. Minutes at most, so a 10-minute limit; two attempts with a short
 * backoff (the generation service has its own bounded retries inside one attempt).
 */
export const websiteContentQueuePolicy: QueuePolicy = {
  name: WEBSITE_CONTENT_QUEUE,
  description: 'Website analysis and content generation',
  concurrency: 4,
  attempts: 2,
  maxAttempts: 5,
  backoff: { type: 'exponential', delayMs: 10_000 },
  timeoutMs: 10 * 60_000,
  maxTimeoutMs: 30 * 60_000,
  backlogLimit: 10_000,
  keepCompleted: 1_000,
  keepFailed: 5_000,
  expectedDurationMs: 60_000,
};
