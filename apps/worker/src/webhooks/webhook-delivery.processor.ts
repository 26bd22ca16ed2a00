import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  DataCipher,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WebhookDelivery,
  signWebhook,
  messageOf,
  errorField,
} from '@conveyor/contracts';
import { WebhookDeliveriesRepository } from '@conveyor/database';
import { Job } from 'bull';
import { randomUUID } from 'node:crypto';
import { JobTimeoutError, PermanentJobError, attemptOutcome, OutboundHttp, discardBody } from '@conveyor/job-runtime';

/** Longest error message kept in an attempt's record. */
const ERROR_MESSAGE_LIMIT = 500;

/** The receiver answered, but not with a 2xx; the attempt failed and the delivery is retried. */
export class WebhookRejectedError extends Error {
  override readonly name = 'WebhookRejectedError';
  constructor(readonly statusCode: number) {
    super(
      statusCode >= 300 && statusCode < 400
        ? `Receiver answered ${statusCode}; redirects are not followed`
        : `Receiver answered ${statusCode}; expected 2xx`,
    );
  }
}

export interface WebhookAttemptResult {
  statusCode: number;
  durationMs: number;
}

/**
 * Sends one attempt of a webhook delivery (a Bull job on the `webhooks` queue): a signed JSON POST
 * through the same policy-checked agents as http.request, within WEBHOOK_TIMEOUT_MS, redirects not
 * followed. A 2xx completes the delivery; anything else fails the attempt and Bull retries it with
 * the delivery's backoff. Every attempt is recorded (status, duration, error; never the body).
 */
@Injectable()
export class WebhookDeliveryProcessor {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbound: OutboundHttp,
    private readonly attempts: WebhookDeliveriesRepository,
    private readonly cipher: DataCipher,
  ) {}

  async process(job: Job<WebhookDelivery>): Promise<WebhookAttemptResult> {
    const delivery = job.data;
    const attempt = job.attemptsMade + 1;
    const at = new Date();
    const startedAt = performance.now();
    const timeout = new AbortController();
    const timeoutMs = delivery.timeoutMs ?? this.config.webhooks.timeoutMs; // deliveries enqueued before it was carried
    const timer = setTimeout(() => timeout.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
    let statusCode: number | null = null;
    try {
      const url = this.outbound.checkTarget(delivery.url, 'Webhook URL');
      // Secret and result wait in Redis sealed for the job (WebhookNotifier); opened only here.
      const secret = this.cipher.open<string | undefined>(delivery.secret, delivery.jobId) ?? this.config.webhooks.signingSecret;
      const bearer = this.cipher.open<string | undefined>(delivery.bearer, delivery.jobId);
      // A product callback with a bearer token is authenticated by it: sent unsigned if nothing signs.
      if (secret === undefined && bearer === undefined) {
        throw new PermanentJobError('No signing secret: the callback has none and WEBHOOK_SIGNING_SECRET is not set');
      }
      const body = JSON.stringify(this.openedPayload(delivery));
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await this.outbound.send(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Conveyor/0.1 (+webhooks)',
          [WEBHOOK_ID_HEADER]: delivery.deliveryId,
          [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
          ...(secret !== undefined
            ? {
                [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, delivery.deliveryId, timestamp, body, {
                  legacy: this.config.webhooks.legacySignature,
                }),
              }
            : {}),
          ...(bearer !== undefined ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body,
        signal: timeout.signal,
      });
      statusCode = response.statusCode ?? 0;
      // The receiver's body is never kept or shown; it is read only to finish the exchange.
      await discardBody(response, timeout.signal);
      if (statusCode < 200 || statusCode >= 300) throw new WebhookRejectedError(statusCode);
      const durationMs = elapsedSince(startedAt);
      await this.record(delivery, attempt, at, statusCode, durationMs, null);
      return { statusCode, durationMs };
    } catch (error) {
      await this.record(delivery, attempt, at, statusCode, elapsedSince(startedAt), error);
      const attempts = job.opts.attempts ?? 1;
      const permanent = error instanceof PermanentJobError;
      // Like a job's permanent error: no attempts are spent on what retrying cannot fix.
      if (permanent) await job.discard();
      const verdict = attemptOutcome(job, error) === 'retried' ? 'will retry' : 'gave up';
      this.logger.warn(
        errorField(error),
        `Webhook ${delivery.deliveryId} (${delivery.event} of job ${delivery.jobId}) attempt ${attempt}/${attempts} failed, ${verdict}`,
      );
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private openedPayload({ payload, jobId }: WebhookDelivery): WebhookDelivery['payload'] {
    return 'result' in payload ? { ...payload, result: this.cipher.open(payload.result, jobId) } : payload;
  }

  /**
   * Records one attempt. The attempt's own outcome is what Bull must see: a failure to write its
   * record is logged, not allowed to turn a delivered webhook into a retried (duplicate) one.
   */
  private async record(
    delivery: WebhookDelivery,
    attempt: number,
    at: Date,
    statusCode: number | null,
    durationMs: number,
    error: unknown,
  ): Promise<void> {
    try {
      await this.attempts.insert({
        _id: randomUUID(),
        jobId: delivery.jobId,
        deliveryId: delivery.deliveryId,
        event: delivery.event,
        attempt,
        url: delivery.url,
        statusCode,
        durationMs,
        error: error === null ? null : messageOf(error).slice(0, ERROR_MESSAGE_LIMIT),
        at,
      });
    } catch (recordError) {
      this.logger.error(errorField(recordError), `Could not record attempt ${attempt} of webhook ${delivery.deliveryId}`);
    }
  }
}

function elapsedSince(start: number): number {
  return Math.round(performance.now() - start);
}
