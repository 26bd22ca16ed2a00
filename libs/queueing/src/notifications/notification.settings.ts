import { z } from 'zod';

const httpUrl = z.string().refine(
  (value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { message: 'must be an http:// or https:// URL' },
);

/**
 * Notification settings (README, "Notifications"), read with loadSettings like a product's: the
 * service-wide URL for owners who saved none, and what counts as a long job.
 */
export const notificationSettingsSchema = z
  .object({
    /** Where notifications go for owners with no URL of their own; unset → those are skipped. */
    NOTIFICATION_WEBHOOK_URL: httpUrl.optional(),
    /** A job whose last attempt ran at least this long notifies when it completes or fails (flows always do). */
    NOTIFICATION_MIN_JOB_SECONDS: z.coerce.number().int().min(0).default(60),
  })
  .transform((s) => ({ serviceUrl: s.NOTIFICATION_WEBHOOK_URL, minJobSeconds: s.NOTIFICATION_MIN_JOB_SECONDS }));

export type NotificationSettingsConfig = z.infer<typeof notificationSettingsSchema>;

export const NOTIFICATION_SETTINGS = Symbol('NOTIFICATION_SETTINGS');
