import { Logger } from '@nestjs/common';
import { loadConfig } from '@conveyor/config';
import { BULL_BACKOFF_STRATEGY, JobStatus, QueueName, WebhookEvent, WebhookSubject, webhookDeliveryId } from '@conveyor/contracts';
import { QueueRegistry } from '../queue-registry.service';
import { NOTIFY_TIMEOUT_MS, WebhookNotifier } from './webhook-notifier';

describe(WebhookNotifier.name, () => {
  const config = loadConfig({ WEBHOOK_ATTEMPTS: '4', WEBHOOK_BACKOFF_MS: '250' });
  const add = jest.fn();
  const notifier = new WebhookNotifier(config, new QueueRegistry([{ name: QueueName.Webhooks, add } as never]));
  const subject = (events: WebhookEvent[], secret?: string): WebhookSubject => ({
    jobId: 'a6f1d1e4-2b7c-4a51-9a0e-9d1c2b3a4f50',
    callback: { url: 'https://example.com/hook', events, ...(secret ? { secret } : {}) },
    status: JobStatus.Completed,
    progress: { percent: 100, step: null },
    result: { ok: true },
  });

  beforeEach(() => {
    add.mockReset().mockResolvedValue({});
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.useRealTimers());

  it('enqueues one delivery with the configured attempts and backoff, keyed by its delivery id', async () => {
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
      secret: 'per-job-secret-0001',
      payload: expect.objectContaining({ event: 'completed', status: 'completed', progress: 100, step: null, result: { ok: true } }),
    });
    expect(options).toMatchObject({
      jobId: deliveryId,
      attempts: 4,
      backoff: { type: BULL_BACKOFF_STRATEGY, options: { type: 'exponential', delayMs: 250 } },
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
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('Connection is closed.'));
  });

  it('gives up waiting on an unresponsive Redis after NOTIFY_TIMEOUT_MS', async () => {
    jest.useFakeTimers();
    add.mockReturnValue(new Promise(() => undefined));
    const notified = notifier.notify(subject([WebhookEvent.Completed]), WebhookEvent.Completed);
    await jest.advanceTimersByTimeAsync(NOTIFY_TIMEOUT_MS);
    await expect(notified).resolves.toBeUndefined();
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining(`within ${NOTIFY_TIMEOUT_MS} ms`));
  });
});
