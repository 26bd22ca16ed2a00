import { Inject, Injectable, Logger } from '@nestjs/common';
import { withTimeout } from '../with-timeout';
import {
  DataCipher,
  JobTypeRegistry,
  QueueName,
  ProductWebhook,
  WebhookDelivery,
  WebhookEvent,
  WebhookSubject,
  webhookDeliveryId,
  webhookPayload,
  productWebhookDeliveryId,
  errorField,
} from '@conveyor/contracts';
import { serviceJobOptions } from '../bull-job-options';
import { QueueRegistry } from '../queue-registry.service';
import { QueueSettings } from '../queue-settings.service';
import { JOB_TYPE_REGISTRY } from '../tokens';

/** Longest a notify may wait on Redis; past it the job's own outcome goes ahead without the webhook. */
export const NOTIFY_TIMEOUT_MS = 2_000;

/**
 * Turns job events into webhook deliveries: one Bull job on the `webhooks` queue per event the
 * job's callback asked for (the worker's WebhookDeliveryProcessor sends it, signed, with retries).
 * Used by the worker (progress, completed, failed for good, cancelled while running) and by the
 * API (cancelled while waiting or delayed).
 */
@Injectable()
export class WebhookNotifier {
  private readonly logger = new Logger(WebhookNotifier.name);

  constructor(
    private readonly queues: QueueRegistry,
    private readonly settings: QueueSettings,
    private readonly cipher: DataCipher,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
  ) {}

  /**
   * Enqueues the delivery of `event` about `job` if its callback asked for that event; does nothing
   * for a job without a callback. Never rejects, and waits at most NOTIFY_TIMEOUT_MS, so callers may
   * await it right after recording a job's outcome.
   */
  async notify(job: WebhookSubject, event: WebhookEvent): Promise<void> {
    const callback = job.callback;
    if (!callback || !callback.events.includes(event)) return;
    const deliveryId = webhookDeliveryId(job, event);
    const enqueue = async () => {
      // Attempts, backoff, timeout and retention: the queue's effective policy (WEBHOOK_* env, then
      // what an operator saved with PUT /api/v1/queues/webhooks/config).
      const policy = await this.settings.policy(QueueName.Webhooks);
      // The secret and the result wait in Redis sealed for the job; the sender opens them.
      const vocabulary = job.type === undefined ? undefined : this.registry.get(job.type)?.statusVocabulary;
      const payload = webhookPayload(job, event, new Date(), vocabulary);
      const delivery: WebhookDelivery = {
        deliveryId,
        jobId: job.jobId,
        event,
        url: callback.url,
        ...(callback.secret !== undefined ? { secret: this.cipher.seal(callback.secret, job.jobId) } : {}),
        payload: 'result' in payload ? { ...payload, result: this.cipher.seal(payload.result, job.jobId) } : payload,
        timeoutMs: policy.timeoutMs,
      };
      // The delivery id as job id: Bull ignores an add whose id exists, so an event reported twice is sent once.
      await this.queues.get(QueueName.Webhooks).add(`webhook.${event}`, delivery, serviceJobOptions(deliveryId, policy));
    };
    await this.enqueueBounded(enqueue, event, deliveryId, job.jobId);
  }

  /**
   * Enqueues a product's own webhook (its seed's body, an optional bearer token) on the same
   * deliveries: signed, retried with the webhooks queue's policy, recorded per attempt. Never rejects.
   */
  async deliver(webhook: ProductWebhook): Promise<void> {
    const deliveryId = productWebhookDeliveryId(webhook.jobId, webhook.key);
    await this.enqueueBounded(() => this.enqueue(webhook).then(() => undefined), webhook.event, deliveryId, webhook.jobId);
  }

  /**
   * Enqueues a webhook as deliver() does, but rejects when Redis did not take it: for a caller that
   * is itself a job (send-notification), whose attempt then fails and is retried. Returns the
   * delivery id (the `Webhook-Id`).
   */
  async enqueue(webhook: ProductWebhook): Promise<string> {
    const deliveryId = productWebhookDeliveryId(webhook.jobId, webhook.key);
    const policy = await this.settings.policy(QueueName.Webhooks);
    const delivery: WebhookDelivery = {
      deliveryId,
      jobId: webhook.jobId,
      event: webhook.event,
      url: webhook.url,
      ...(webhook.bearer !== undefined ? { bearer: this.cipher.sealNew(webhook.bearer, webhook.jobId) } : {}),
      ...(webhook.secret !== undefined ? { secret: this.cipher.sealNew(webhook.secret, webhook.jobId) } : {}),
      payload: webhook.body,
      timeoutMs: policy.timeoutMs,
    };
    await this.queues.get(QueueName.Webhooks).add(`webhook.${webhook.event}`, delivery, serviceJobOptions(deliveryId, policy));
    return deliveryId;
  }

  private async enqueueBounded(enqueue: () => Promise<void>, event: WebhookEvent, deliveryId: string, jobId: string): Promise<void> {
    try {
      await withTimeout(enqueue(), NOTIFY_TIMEOUT_MS);
    } catch (error) {
      // Deliberately swallowed, the one place errors are: the job's outcome is already recorded and
      // must reach its client and Bull whether or not Redis took the webhook. A lost delivery is
      // logged here; failing or delaying the job for it would be worse.
      this.logger.error(errorField(error), `Could not enqueue the ${event} webhook ${deliveryId} of job ${jobId}`);
    }
  }
}
