import { milliseconds } from '@conveyor/config';
import { z } from 'zod';

/** The website-content product's settings (environment variables; README, "Website analysis and content generation"). */
export const websiteContentSettingsSchema = z
  .object({
    /** Credits one content generation costs (reserved at submit, captured when the post is saved). */
    CONTENT_GENERATION_CREDITS: z.coerce.number().int().min(1).max(1_000_000).default(1),
    /** Same-site pages fetched beside the one asked for. */
    WEBSITE_ANALYSIS_EXTRA_PAGES: z.coerce.number().int().min(0).max(10).default(4),
    /** Body bytes kept per page. */
    WEBSITE_PAGE_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(20 * 1024 * 1024)
      .default(2 * 1024 * 1024),
    /** Time limit of one page fetch, redirects included. */
    WEBSITE_PAGE_TIMEOUT_MS: milliseconds.default(15_000),
    /** Time limit of one generation call (a model writing a post takes a while); 3 tries per call. */
    GENERATION_TIMEOUT_MS: milliseconds.max(10 * 60_000).default(120_000),
  })
  .transform((s) => ({
    contentGenerationCredits: s.CONTENT_GENERATION_CREDITS,
    extraPages: s.WEBSITE_ANALYSIS_EXTRA_PAGES,
    pageMaxBytes: s.WEBSITE_PAGE_MAX_BYTES,
    pageTimeoutMs: s.WEBSITE_PAGE_TIMEOUT_MS,
    generationTimeoutMs: s.GENERATION_TIMEOUT_MS,
  }));

export type WebsiteContentSettings = z.infer<typeof websiteContentSettingsSchema>;

/** Injection token of the product's settings (read once per app at boot). */
export const WEBSITE_CONTENT_SETTINGS = Symbol('WEBSITE_CONTENT_SETTINGS');
