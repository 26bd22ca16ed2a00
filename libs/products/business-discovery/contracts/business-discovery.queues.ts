import { QueuePolicy } from '@conveyor/contracts';

/** Seed 004's queues (its video-analysis queue is the video-analysis product's, shared). */
export const BUSINESS_DISCOVERY_QUEUE = 'business-discovery';
export const INSTAGRAM_DETECTION_QUEUE = 'instagram-detection';
export const VIDEO_SCRAPING_QUEUE = 'video-scraping';
export const REPORT_GENERATION_QUEUE = 'report-generation';

const KEEP = { backlogLimit: 10_000, keepCompleted: 1_000, keepFailed: 5_000 };

/** Seed 004: concurrency 5, 3 attempts, 2 s apart (doubling). Places searches and website checks. */
export const businessDiscoveryQueuePolicy: QueuePolicy = {
  name: BUSINESS_DISCOVERY_QUEUE,
  description: 'Business and competitor discovery jobs',
  concurrency: 5,
  attempts: 3,
  maxAttempts: 10,
  backoff: { type: 'exponential', delayMs: 2_000 },
  timeoutMs: 5 * 60_000,
  maxTimeoutMs: 30 * 60_000,
  expectedDurationMs: 30_000,
  ...KEEP,
};

/** Seed 004: concurrency 3 ("lower due to rate limiting"), 5 attempts, 5 s apart. */
export const instagramDetectionQueuePolicy: QueuePolicy = {
  name: INSTAGRAM_DETECTION_QUEUE,
  description: 'Instagram profile detection and reel ranking jobs',
  concurrency: 3,
  attempts: 5,
  maxAttempts: 10,
  backoff: { type: 'exponential', delayMs: 5_000 },
  timeoutMs: 5 * 60_000,
  maxTimeoutMs: 30 * 60_000,
  expectedDurationMs: 30_000,
  ...KEEP,
};

/** Seed 004: concurrency 2 ("resource intensive"), 3 attempts, 10 s apart. */
export const videoScrapingQueuePolicy: QueuePolicy = {
  name: VIDEO_SCRAPING_QUEUE,
  description: 'Video download and storage jobs',
  concurrency: 2,
  attempts: 3,
  maxAttempts: 10,
  backoff: { type: 'exponential', delayMs: 10_000 },
  timeoutMs: 30 * 60_000,
  maxTimeoutMs: 3 * 60 * 60_000,
  expectedDurationMs: 5 * 60_000,
  ...KEEP,
};

/** Not in seed 004's table: reports are CPU work on stored data, so two at once, three attempts. */
export const reportGenerationQueuePolicy: QueuePolicy = {
  name: REPORT_GENERATION_QUEUE,
  description: 'Competitor reports, trend analyses and PDF exports',
  concurrency: 2,
  attempts: 3,
  maxAttempts: 10,
  backoff: { type: 'exponential', delayMs: 5_000 },
  timeoutMs: 10 * 60_000,
  maxTimeoutMs: 60 * 60_000,
  expectedDurationMs: 30_000,
  ...KEEP,
};

export const BUSINESS_DISCOVERY_QUEUE_POLICIES = [
  businessDiscoveryQueuePolicy,
  instagramDetectionQueuePolicy,
  videoScrapingQueuePolicy,
  reportGenerationQueuePolicy,
];
