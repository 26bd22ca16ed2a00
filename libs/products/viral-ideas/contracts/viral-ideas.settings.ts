import { isIpOrCidr, milliseconds } from '@conveyor/config';
import { z } from 'zod';

/** The viral-ideas product's settings (environment variables; README, "Viral-ideas analysis"). */
export const viralIdeasSettingsSchema = z
  .object({
    /** Batch (POST /api/viral-ideas/process-pending): a processing entry started longer ago counts as stuck. */
    VIRAL_STUCK_AFTER_MS: milliseconds.default(60_000),
    /** Gap between the starts of consecutive runs of one batch. */
    VIRAL_BATCH_STAGGER_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
    /** One batch per this period across all API replicas (429 before it ends). */
    VIRAL_BATCH_COOLDOWN_MS: z.coerce.number().int().min(0).default(300_000),
    /** Comma-separated client IPs or CIDR ranges allowed to trigger a batch; unset: any (admins only). */
    BATCH_ALLOWED_IPS: z
      .string()
      .refine((value) => value.split(',').every((part) => isIpOrCidr(part.trim())), {
        message: 'must be comma-separated IPs or CIDR ranges',
      })
      .optional(),
  })
  .transform((s) => ({
    stuckAfterMs: s.VIRAL_STUCK_AFTER_MS,
    batchStaggerMs: s.VIRAL_BATCH_STAGGER_MS,
    batchCooldownMs: s.VIRAL_BATCH_COOLDOWN_MS,
    batchAllowedIps: (s.BATCH_ALLOWED_IPS ?? '')
      .split(',')
      .map((ip) => ip.trim())
      .filter(Boolean),
  }));

export type ViralIdeasSettings = z.infer<typeof viralIdeasSettingsSchema>;

/** Injection token of the product's settings (read once per app at boot). */
export const VIRAL_IDEAS_SETTINGS = Symbol('VIRAL_IDEAS_SETTINGS');
