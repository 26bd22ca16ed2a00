import { Logger } from '@nestjs/common';
import { loadConfig } from '@conveyor/config';
import {
  BULL_BACKOFF_STRATEGY,
  DataCipher,
  JobTypeRegistry,
  PLATFORM_JOB_TYPES,
  PLATFORM_QUEUE_POLICIES,
  JobStatus,
  QueueName,
  QueueOverrides,
  WebhookEvent,
  WebhookSubject,
  webhookDeliveryId,
  productWebhookDeliveryId,
} from '@conveyor/contracts';
import { QueueRegistry } from '../queue-registry.service';
import { QueueSettings } from '../queue-settings.service';
import { NOTIFY_TIMEOUT_MS, WebhookNotifier } from './webhook-notifier';
import { randomBytes } from 'node:crypto';

const jobCatalogOfPlatform = new JobTypeRegistry(PLATFORM_JOB_TYPES, PLATFORM_QUEUE_POLICIES);

describe(WebhookNotifier.name, () => {
  const config = loadConfig({ WEBHOOK_ATTEMPTS: '4', WEBHOOK_BACKOFF_MS: '250' });
  const add = jest.fn();
  /** What an operator saved for the webhooks queue (PUT /api/v1/queues/webhooks/config). */
  let saved: QueueOverrides = {};
  const queues = new QueueRegistry([{ name: QueueName.Webhooks, add } as never]);
  let notifier: WebhookNotifier;
  const cipher = new DataCipher([{ id: 'k1', key: randomBytes(32) }]);
  const subject = (events: WebhookEvent[], secret?: string): WebhookSubject => ({
    jobId: 'a6f1d1e4-2b7c-4a51-9a0e-9d1c2b3a4f50',
    callback: { url: 'https://example.com/hook', events, ...(secret ? { secret } : {}) },
    status: JobStatus.Completed,
    progress: { percent: 100, step: null },
    result: { ok: true },
  });

  beforeEach(() => {
    saved = {};
    // A new QueueSettings each time: its 2 s cache would keep the previous test's settings.
    notifier = new WebhookNotifier(
      queues,
      new QueueSettings(config, { overrides: async () => saved } as never, queues, jobCatalogOfPlatform),
      cipher,
      jobCatalogOfPlatform,
    );
    add.mockReset().mockResolvedValue({});
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.useRealTimers());

  it('enqueues one delivery with the WEBHOOK_* attempts, backoff and timeout, keyed by its delivery id', async () => {
    const job = subject([WebhookEvent.Completed], 'per-job-secret-0001');
    await notifier.notify(job, WebhookEvent.Completed);
    expect(add).toHaveBeenCalledTimes(1);
    const [name, data, options] = add.mock.calls[0];
    const deliveryId = webhookDeliveryId(job, WebhookEvent.Completed);
    expect(name).toBe('webhook.completed');
    expect(data).toEqual({
      deliveryId,
      jobId: job.jobId,
      event: 'completed',
      url: 'https://example.com/hook',
      secret: expect.stringMatching(/^enc:v1:k1:/),
      payload: expect.objectContaining({ event: 'completed', status: 'completed', progress: 100, step: null, result: expect.any(String) }),
      timeoutMs: config.webhooks.timeoutMs,
    });
    // Secret and result wait in Redis sealed for the job; the sender opens them.
    expect(cipher.open(data.secret, job.jobId)).toBe('per-job-secret-0001');
    expect(cipher.open(data.payload.result, job.jobId)).toEqual({ ok: true });
    expect(options).toMatchObject({
      jobId: deliveryId,
      attempts: 4,
      backoff: { type: BULL_BACKOFF_STRATEGY, options: { type: 'exponential', delayMs: 250 } },
    });
  });

  it('takes what an operator saved for the webhooks queue over the environment', async () => {
    saved = { attempts: 1, backoff: { type: 'fixed', delayMs: 50 }, timeoutMs: 2_000, keepCompleted: 7, keepFailed: 9 };
    await notifier.notify(subject([WebhookEvent.Completed]), WebhookEvent.Completed);
    const [, data, options] = add.mock.calls[0];
    expect(data.timeoutMs).toBe(2_000);
    expect(options).toMatchObject({
      attempts: 1,
      backoff: { type: BULL_BACKOFF_STRATEGY, options: { type: 'fixed', delayMs: 50 } },
      removeOnComplete: 7,
      removeOnFail: 9,
    });
  });

  it('does nothing without a callback or for an event the callback did not ask for', async () => {
    await notifier.notify({ ...subject([]), callback: null }, WebhookEvent.Completed);
    await notifier.notify(subject([WebhookEvent.Completed]), WebhookEvent.Progress);
    expect(add).not.toHaveBeenCalled();
  });

  it('never rejects when Redis refuses the delivery, and logs it', async () => {
    add.mockRejectedValue(new Error('Connection is closed.'));
    await expect(notifier.notify(subject([WebhookEvent.Completed]), WebhookEvent.Completed)).resolves.toBeUndefined();
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: expect.stringContaining('Connection is closed.') }) },
      expect.any(String),
    );
  });

  it("enqueues a caller's own webhook with its receiver's secret sealed, and rejects when Redis refuses it", async () => {
    const webhook = { jobId: 'n1', event: WebhookEvent.Failed, url: 'https://example.com/n', key: 'notification:1', body: { a: 1 } };
    const deliveryId = await notifier.enqueue({ ...webhook, secret: 'receiver-secret-00001' });
    expect(deliveryId).toBe(productWebhookDeliveryId('n1', 'notification:1'));
    const [name, data, options] = add.mock.calls[0];
    expect(name).toBe('webhook.failed');
    expect(data).toMatchObject({ deliveryId, jobId: 'n1', url: 'https://example.com/n', payload: { a: 1 } });
    expect(cipher.open(data.secret, 'n1')).toBe('receiver-secret-00001');
    expect(options).toMatchObject({ jobId: deliveryId, attempts: 4 });
    add.mockRejectedValue(new Error('Connection is closed.'));
    await expect(notifier.enqueue(webhook)).rejects.toThrow('Connection is closed.');
  });

  it('gives up waiting on an unresponsive Redis after NOTIFY_TIMEOUT_MS', async () => {
    jest.useFakeTimers();
    add.mockReturnValue(new Promise(() => undefined));
    const notified = notifier.notify(subject([WebhookEvent.Completed]), WebhookEvent.Completed);
    await jest.advanceTimersByTimeAsync(NOTIFY_TIMEOUT_MS);
    await expect(notified).resolves.toBeUndefined();
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: expect.stringContaining(`within ${NOTIFY_TIMEOUT_MS} ms`) }) },
      expect.any(String),
    );
  });
});
