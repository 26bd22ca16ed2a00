import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  DataCipher,
  NotificationTarget,
  OwnerNotificationSettings,
  SendNotificationPayload,
  SendNotificationResult,
  SendNotificationStep,
  deliveryEventOf,
  notificationBody,
  notificationTarget,
  sendNotificationJob,
} from '@conveyor/contracts';
import { NotificationSettingsRepository, notificationSecretSealId } from '@conveyor/database';
import { JobContext, JobHandler, JobHandlerContract } from '@conveyor/job-runtime';
import { NOTIFICATION_SETTINGS, NotificationSettingsConfig, WebhookNotifier } from '@conveyor/queueing';

/**
 * `send-notification`: finds where the end's owner wants to hear of it (their settings, else
 * NOTIFICATION_WEBHOOK_URL, else nowhere: skipped, the reason in the result) and hands the signed
 * POST to the webhook deliveries, which send it with the webhooks' headers, retries and records.
 * The delivery's id derives from this job and run, so a repeated attempt enqueues it once.
 */
@JobHandler()
@Injectable()
export class SendNotificationHandler implements JobHandlerContract<SendNotificationPayload, SendNotificationResult> {
  readonly definition = sendNotificationJob;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettingsConfig,
    private readonly owners: NotificationSettingsRepository,
    private readonly webhooks: WebhookNotifier,
    private readonly cipher: DataCipher,
  ) {}

  async run(ctx: JobContext<SendNotificationPayload>): Promise<SendNotificationResult> {
    const target = await ctx.step(SendNotificationStep.ResolveTarget, () => this.target(ctx.payload));
    if ('skipped' in target) return { outcome: 'skipped', reason: target.skipped };
    return ctx.step(SendNotificationStep.EnqueueDelivery, async () => {
      const deliveryId = await this.webhooks.enqueue({
        jobId: ctx.jobId,
        event: deliveryEventOf(ctx.payload.event),
        url: target.url,
        key: `notification:${ctx.run}`,
        body: { ...notificationBody(ctx.payload) },
        ...(target.secret !== undefined ? { secret: target.secret } : {}),
      });
      return { outcome: 'queued', deliveryId, target: target.source };
    });
  }

  private async target(payload: SendNotificationPayload): Promise<NotificationTarget> {
    const saved = await this.owners.find(payload.ownerKey);
    const owner: OwnerNotificationSettings | null = saved && {
      url: saved.url,
      events: saved.events,
      ...(saved.secret !== null && saved.secret !== undefined
        ? { secret: this.cipher.open<string>(saved.secret, notificationSecretSealId(payload.ownerKey)) }
        : {}),
    };
    return notificationTarget({
      event: payload.event,
      owner,
      serviceUrl: this.settings.serviceUrl,
      serviceSecretSet: this.config.webhooks.signingSecret !== undefined,
    });
  }
}
