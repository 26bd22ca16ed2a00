import { QueuePolicy } from '@conveyor/contracts';

/** Seed 002's queue (seed 004's pipeline shares it). */
export const VIDEO_ANALYSIS_QUEUE = 'video-analysis';

/**
 * Seed 002's defaults: 3 jobs at once, at most 100 queued, 1 hour per attempt, 3 retries at
 * 30 s, 2 min and 5 min. All of it can be changed per queue (PUT /api/v1/queue/config). The queue
 * routes act on this queue by default, and `/health/detailed` judges it by the guide's alerts.
 */
export const videoAnalysisQueuePolicy: QueuePolicy = {
  name: VIDEO_ANALYSIS_QUEUE,
  description: 'Video analysis: transcripts, loudness, highlights',
  concurrency: 3,
  attempts: 4,
  maxAttempts: 10,
  backoff: { type: 'list', delaysMs: [30_000, 120_000, 300_000] },
  timeoutMs: 60 * 60_000,
  maxTimeoutMs: 3 * 60 * 60_000,
  backlogLimit: 100,
  keepCompleted: 1_000,
  keepFailed: 5_000,
  expectedDurationMs: 30 * 60_000,
  defaultForQueueRoutes: true,
  // The guide's alerts: queue length > 50, utilisation > 90 %, average processing > 2 h, failures > 10 %.
  healthThresholds: {
    queueDepthWarning: 50,
    utilisationWarning: 0.9,
    averageProcessingWarningMs: 2 * 60 * 60_000,
    failureRateWarning: 0.1,
  },
};
