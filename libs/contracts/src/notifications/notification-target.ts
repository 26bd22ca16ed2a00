import { NotificationEvent } from './notification-event';

/** An owner's saved settings (PUT /api/v1/notifications/settings), their secret opened. */
export interface OwnerNotificationSettings {
  url: string;
  events: readonly NotificationEvent[];
  secret?: string;
}

/** Where one notification goes and what signs it (no secret: the service's), or why it goes nowhere. */
export type NotificationTarget = { url: string; secret?: string; source: 'owner' | 'service' } | { skipped: string };

/**
 * The owner's URL if they saved one (and subscribed to the event), else NOTIFICATION_WEBHOOK_URL,
 * else nowhere: a target is never guessed. Always signed: with nothing to sign with, skipped.
 */
export function notificationTarget(input: {
  event: NotificationEvent;
  owner: OwnerNotificationSettings | null;
  serviceUrl: string | undefined;
  serviceSecretSet: boolean;
}): NotificationTarget {
  const { event, owner, serviceUrl, serviceSecretSet } = input;
  if (owner && !owner.events.includes(event)) return { skipped: `the owner's settings do not subscribe to ${event}` };
  const target: { url: string; secret?: string; source: 'owner' | 'service' } | undefined = owner
    ? { url: owner.url, ...(owner.secret !== undefined ? { secret: owner.secret } : {}), source: 'owner' }
    : serviceUrl !== undefined
      ? { url: serviceUrl, source: 'service' }
      : undefined;
  if (!target) return { skipped: 'the owner has no notification URL and NOTIFICATION_WEBHOOK_URL is not set' };
  if (target.secret === undefined && !serviceSecretSet) {
    return { skipped: 'nothing to sign with: no secret in the owner’s settings and WEBHOOK_SIGNING_SECRET is not set' };
  }
  return target;
}
