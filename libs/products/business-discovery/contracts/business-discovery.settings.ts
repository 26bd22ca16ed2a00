import { milliseconds } from '@conveyor/config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** The business-discovery product's settings (README, "Business discovery"). */
export const businessDiscoverySettingsSchema = z
  .object({
    /** Shared with the video-analysis product: stored videos go in `videos/` under it (a volume all workers share). */
    STORAGE_DIR: z.string().min(1).default(join(tmpdir(), 'conveyor-media')),
    /** Largest video downloaded, in bytes (default 500 MiB: reels are short). */
    DISCOVERY_VIDEO_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(500 * 1024 ** 2),
    /** Time limit of one video download. */
    DISCOVERY_DOWNLOAD_TIMEOUT_MS: milliseconds.default(5 * 60_000),
    /** Businesses a discovery keeps from the places service (the first ones it returns). */
    DISCOVERY_MAX_BUSINESSES: z.coerce.number().int().min(1).max(100).default(10),
    /** Largest website page read when validating a business or looking for its Instagram handle. */
    DISCOVERY_PAGE_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(2 * 1024 ** 2),
    /** Time limit of one website page. */
    DISCOVERY_PAGE_TIMEOUT_MS: milliseconds.default(15_000),
  })
  .transform((s) => ({
    storageDir: s.STORAGE_DIR,
    videoMaxBytes: s.DISCOVERY_VIDEO_MAX_BYTES,
    downloadTimeoutMs: s.DISCOVERY_DOWNLOAD_TIMEOUT_MS,
    maxBusinesses: s.DISCOVERY_MAX_BUSINESSES,
    pageMaxBytes: s.DISCOVERY_PAGE_MAX_BYTES,
    pageTimeoutMs: s.DISCOVERY_PAGE_TIMEOUT_MS,
  }));

export type BusinessDiscoverySettings = z.infer<typeof businessDiscoverySettingsSchema>;

export const BUSINESS_DISCOVERY_SETTINGS = Symbol('BUSINESS_DISCOVERY_SETTINGS');
