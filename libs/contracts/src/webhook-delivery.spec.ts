import { JobStatus } from './job-status';
import { StatusVocabulary } from './status-vocabulary';
import { Webhook } from 'standardwebhooks';
import { createHmac } from 'node:crypto';
import {
  signWebhook,
  signingSecretRefusal,
  verifyWebhookSignature,
  webhookDeliveryId,
  webhookPayload,
  webhookSecretProblem,
} from './webhook-delivery';
import { WebhookEvent } from './webhooks';

describe('webhook signatures', () => {
  // Computed independently with OpenSSL:
  //   printf '%s' 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.1674087231.{"event":"completed","jobId":"x"}' \
  //     | openssl dgst -sha256 -hmac 'conveyor-test-secret-0001' -binary | base64
  const vector = {
    secret: 'conveyor-test-secret-0001',
    webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    timestamp: 1674087231,
    body: '{"event":"completed","jobId":"x"}',
    signature: 'v1,vsDuUddO/q6Hp/GZB+qt3XPHELZy3DngwC/VzDKwpdI=',
  };

  it('signs `${id}.${timestamp}.${body}` with HMAC-SHA256 as v1,<base64> (known vector), and the older v1= form after it on request', () => {
    expect(signWebhook(vector.secret, vector.webhookId, vector.timestamp, vector.body)).toBe(vector.signature);
    // A second vector: printf '%s' 'abc.1700000000.{}' | openssl dgst -sha256 -hmac key -binary | base64
    expect(signWebhook('key', 'abc', 1700000000, '{}')).toBe('v1,HXt7AwMW3f4QP5OvJLaBjZsWNVxVESVtGTr6ZBzysPU=');
    expect(signWebhook('key', 'abc', 1700000000, '{}', { legacy: true })).toBe(
      'v1,HXt7AwMW3f4QP5OvJLaBjZsWNVxVESVtGTr6ZBzysPU= v1=HXt7AwMW3f4QP5OvJLaBjZsWNVxVESVtGTr6ZBzysPU=',
    );
  });

  it('is verified by the Standard Webhooks library: a free-text secret as a raw key, a whsec_ secret as its base64 key', () => {
    const now = Math.floor(Date.now() / 1000);
    const body = '{"event":"completed"}';
    const headers = (secret: string, legacy = false) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(now),
      'webhook-signature': signWebhook(secret, 'msg_1', now, body, { legacy }),
    });
    expect(new Webhook(vector.secret, { format: 'raw' }).verify(body, headers(vector.secret))).toEqual({ event: 'completed' });
    expect(new Webhook(vector.secret, { format: 'raw' }).verify(body, headers(vector.secret, true))).toEqual({ event: 'completed' });
    // A non-ASCII free-text secret: the standard library takes its UTF-8 bytes as a raw key.
    const unicode = 'clé secrète — 16+ chars';
    expect(new Webhook(new TextEncoder().encode(unicode), { format: 'raw' }).verify(body, headers(unicode))).toEqual({
      event: 'completed',
    });
    const standardSecret = `whsec_${Buffer.from('a key of thirty-two bytes, exact').toString('base64')}`;
    expect(new Webhook(standardSecret).verify(body, headers(standardSecret))).toEqual({ event: 'completed' });
    expect(() => new Webhook(standardSecret).verify(body.replace('completed', 'failed'), headers(standardSecret))).toThrow();
  });

  const verify = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) =>
    verifyWebhookSignature({
      secret: vector.secret,
      webhookId: vector.webhookId,
      timestamp: String(vector.timestamp),
      body: vector.body,
      signatureHeader: vector.signature,
      nowSeconds: vector.timestamp + 10,
      ...overrides,
    });

  it('verifies a genuine signature, also among several', () => {
    expect(verify()).toBe(true);
    expect(verify({ signatureHeader: `v1,bm90IGl0 ${vector.signature}` })).toBe(true);
    // Conveyor's older form still verifies.
    expect(verify({ signatureHeader: vector.signature.replace('v1,', 'v1=') })).toBe(true);
  });

  it('refuses a changed body, id, timestamp or secret, a stale timestamp and junk headers', () => {
    expect(verify({ body: vector.body.replace('x', 'y') })).toBe(false);
    expect(verify({ webhookId: 'msg_other' })).toBe(false);
    expect(verify({ timestamp: String(vector.timestamp + 1), nowSeconds: vector.timestamp })).toBe(false);
    expect(verify({ secret: 'another-secret-of-16' })).toBe(false);
    expect(verify({ nowSeconds: vector.timestamp + 301 })).toBe(false);
    expect(verify({ timestamp: '1e9' })).toBe(false);
    expect(verify({ signatureHeader: '' })).toBe(false);
    expect(verify({ signatureHeader: vector.signature.replace('v1,', 'v0,') })).toBe(false);
  });
});

describe(webhookDeliveryId.name, () => {
  const jobId = '0b6f2c1e-6a53-4d0e-9a57-1b8a4f7c2d10';
  const progress = { percent: 0, step: null };

  it('is a stable UUID-shaped id per job, run and event', () => {
    const id = webhookDeliveryId({ jobId, progress }, WebhookEvent.Completed);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(webhookDeliveryId({ jobId, run: 1, progress: { percent: 100, step: null } }, WebhookEvent.Completed)).toBe(id);
    expect(webhookDeliveryId({ jobId, run: 2, progress }, WebhookEvent.Completed)).not.toBe(id);
    expect(webhookDeliveryId({ jobId, progress }, WebhookEvent.Failed)).not.toBe(id);
  });

  it('tells progress events apart by attempt and step', () => {
    const step = (name: string, attempt = 1) =>
      webhookDeliveryId({ jobId, attempt, progress: { percent: 5, step: name } }, WebhookEvent.Progress);
    expect(step('a')).toBe(step('a'));
    expect(new Set([step('a'), step('b'), step('a', 2)]).size).toBe(3);
  });
});

describe(webhookPayload.name, () => {
  const at = new Date('2030-01-02T03:04:05.000Z');
  const subject = {
    jobId: 'j1',
    callback: { url: 'https://example.com/hook', events: [WebhookEvent.Completed] },
    status: JobStatus.Completed,
    progress: { percent: 100, step: null },
    result: { statusCode: 200 },
    error: { message: 'boom', code: 'E' },
  };

  it('carries the result only when completed and the error only when failed', () => {
    expect(webhookPayload(subject, WebhookEvent.Completed, at)).toEqual({
      event: 'completed',
      jobId: 'j1',
      status: 'completed',
      conveyorStatus: 'completed',
      progress: 100,
      step: null,
      result: { statusCode: 200 },
      timestamp: '2030-01-02T03:04:05.000Z',
    });
    const failed = webhookPayload(
      { ...subject, status: JobStatus.Failed, progress: { percent: 5, step: 'send' } },
      WebhookEvent.Failed,
      at,
    );
    expect(failed).toEqual({
      event: 'failed',
      jobId: 'j1',
      status: 'failed',
      conveyorStatus: 'failed',
      progress: 5,
      step: 'send',
      error: { message: 'boom', code: 'E' },
      timestamp: at.toISOString(),
    });
    expect(webhookPayload({ ...subject, status: JobStatus.Cancelled }, WebhookEvent.Cancelled, at)).not.toHaveProperty('result');
  });

  it("words the status in the job type's vocabulary and keeps Conveyor's word beside it", () => {
    const vocabulary = {
      words: { ...Object.fromEntries(Object.values(JobStatus).map((s) => [s, s])), completed: 'succeeded', cancelled: 'failed' },
      cancelledError: 'Cancelled',
    } as StatusVocabulary;
    expect(webhookPayload(subject, WebhookEvent.Completed, at, vocabulary)).toMatchObject({
      status: 'succeeded',
      conveyorStatus: 'completed',
    });
    const cancelled = webhookPayload({ ...subject, status: JobStatus.Cancelled }, WebhookEvent.Cancelled, at, vocabulary);
    expect(cancelled).toMatchObject({ status: 'failed', conveyorStatus: 'cancelled', error: { message: 'Cancelled', code: 'CANCELLED' } });
  });

  it('never copies more of the error than its message and code', () => {
    const withStack = { ...subject, error: { message: 'boom', code: 'E', stack: 'at secret/place.ts:1' } };
    expect(webhookPayload(withStack, WebhookEvent.Failed, at).error).toEqual({ message: 'boom', code: 'E' });
  });
});

describe(webhookSecretProblem.name, () => {
  it('refuses a whsec_ secret that is not canonical base64 of 24 to 64 bytes (a lenient decoding would leave a weak key)', () => {
    expect(webhookSecretProblem('free text secret, long enough')).toBeUndefined();
    expect(webhookSecretProblem(`whsec_${Buffer.alloc(32, 7).toString('base64')}`)).toBeUndefined();
    for (const bad of [
      'whsec_??????????',
      `whsec_${Buffer.alloc(8).toString('base64')}`,
      'whsec_QUJD',
      `whsec_${Buffer.alloc(32).toString('base64')}x`,
    ])
      expect(webhookSecretProblem(bad)).toMatch(/canonical base64/);
  });

  it('keeps the older v1= form keyed with the UTF-8 secret, so a receiver of old keeps verifying, whatever the secret', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const header = signWebhook(secret, 'msg', 1700000000, '{}', { legacy: true });
    const legacy = header.split(' ')[1];
    expect(legacy).toBe(`v1=${createHmac('sha256', secret).update('msg.1700000000.{}').digest('base64')}`);
    const verify = (signatureHeader: string) =>
      verifyWebhookSignature({ secret, webhookId: 'msg', timestamp: '1700000000', body: '{}', signatureHeader, nowSeconds: 1700000000 });
    expect(verify(header.split(' ')[0])).toBe(true);
    expect(verify(legacy)).toBe(true);
    // The standard form's MAC under the older tag is not the older form.
    expect(verify(header.split(' ')[0].replace('v1,', 'v1='))).toBe(false);
  });
});

describe(signingSecretRefusal.name, () => {
  const strong = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

  it('takes a free-text or valid whsec_ secret, and none when the service signs', () => {
    expect(signingSecretRefusal('secret', 'my-own-secret-0123', undefined)).toBeUndefined();
    expect(signingSecretRefusal('secret', strong, undefined)).toBeUndefined();
    expect(signingSecretRefusal('secret', undefined, 'service-secret')).toBeUndefined();
    expect(signingSecretRefusal('secret', null, 'service-secret')).toBeUndefined();
  });

  it('refuses, naming the field, a whsec_ secret that cannot sign, and none when the service has nothing to sign with', () => {
    expect(signingSecretRefusal('callbackSecret', 'whsec_c2hvcnQ=', 'service-secret')).toMatch(/^callbackSecret: a whsec_ secret must be/);
    expect(signingSecretRefusal('secret', undefined, undefined)).toBe(
      'secret is required: this service has no WEBHOOK_SIGNING_SECRET to sign with',
    );
    expect(signingSecretRefusal('secret', null, undefined)).toMatch(/^secret is required/);
  });
});
