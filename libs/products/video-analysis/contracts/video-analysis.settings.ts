import { milliseconds } from '@conveyor/config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** The video-analysis product's settings (README, "Video analysis"). */
export const videoAnalysisSettingsSchema = z
  .object({
    /** Where a worker keeps a job's downloaded media while it runs (removed when the job ends). */
    STORAGE_DIR: z.string().min(1).default(join(tmpdir(), 'conveyor-media')),
    /** Largest video accepted, in bytes (default 2 GiB). */
    VIDEO_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(2 * 1024 ** 3),
    /** Time limit of the video download. */
    VIDEO_DOWNLOAD_TIMEOUT_MS: milliseconds.default(15 * 60_000),
    /** Largest chat log accepted, in bytes. */
    CHAT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(50 * 1024 * 1024),
    /** A progress webhook this often while a job with a `callback_url` is processing (seed 002: 30 s). */
    VIDEO_PROGRESS_WEBHOOK_MS: milliseconds.default(30_000),
    /** Submissions of analyses per client IP and minute (seed 002: 10), instead of the submit class. */
    VIDEO_SUBMIT_IP_LIMIT: z.coerce.number().int().min(1).default(10),
  })
  .transform((s) => ({
    storageDir: s.STORAGE_DIR,
    videoMaxBytes: s.VIDEO_MAX_BYTES,
    downloadTimeoutMs: s.VIDEO_DOWNLOAD_TIMEOUT_MS,
    chatMaxBytes: s.CHAT_MAX_BYTES,
    progressWebhookMs: s.VIDEO_PROGRESS_WEBHOOK_MS,
    submitIpLimitPerMinute: s.VIDEO_SUBMIT_IP_LIMIT,
  }));

export type VideoAnalysisSettings = z.infer<typeof videoAnalysisSettingsSchema>;

export const VIDEO_ANALYSIS_SETTINGS = Symbol('VIDEO_ANALYSIS_SETTINGS');
