import { Webhook } from 'standardwebhooks';
import { QueueName, verifyWebhookSignature } from '@conveyor/contracts';
import { createHmac } from 'node:crypto';
import { Conveyor } from '../support/conveyor';
import { Hit, TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'hook-owner';
const SECRET = 'service-signing-secret-0001';
const ADMIN_TOKEN = 'admin-token-for-webhooks-e2e';

/** A webhook as the receiver got it: headers, the exact body, and the body parsed. */
interface Received {
  hit: Hit;
  body: any;
}

describe('Webhooks', () => {
  let conveyor: Conveyor;
  let target: TargetServer;
  let receiver: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    receiver = await TargetServer.start();
    conveyor = await Conveyor.start({
      env: {
        WEBHOOK_SIGNING_SECRET: SECRET,
        WEBHOOK_BACKOFF_MS: '100',
        WEBHOOK_ATTEMPTS: '3',
        WEBHOOK_TIMEOUT_MS: '1000',
        ADMIN_API_TOKEN: ADMIN_TOKEN,
      },
    });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
    await receiver?.close();
  });

  beforeEach(() => {
    target.respond((req, res) => {
      if (req.url === '/fails') res.statusCode = 500;
      if (req.url === '/held') return void setTimeout(() => res.end('too late'), 20_000).unref();
      res.end('ok');
    });
    receiver.respond((_req, res) => res.end('thanks'));
  });

  const submit = async (path: string, callback: object, options: object = {}) => {
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', USER)
      .send({ type: 'http.request', data: { url: target.url(path), method: 'GET' }, options, ...callback });
    expect(res.status).toBe(201);
    return res.body.data.jobId as string;
  };

  /** Webhooks the receiver got about one job, in arrival order. */
  const received = (jobId: string): Received[] =>
    receiver.hits.map((hit) => ({ hit, body: JSON.parse(hit.body || '{}') })).filter((r) => r.body.jobId === jobId);

  const waitForWebhooks = (jobId: string, count: number, what = `${count} webhook(s) of job ${jobId}`) =>
    waitFor(() => (received(jobId).length >= count ? received(jobId) : undefined), { what });

  const attempts = (jobId: string, headers: Record<string, string> = { 'x-user-id': USER }) =>
    conveyor.http().get(`/api/v1/jobs/${jobId}/webhooks`).set(headers);

  const waitForAttempts = (jobId: string, accept: (items: any[]) => boolean) =>
    waitFor(
      async () => {
        const res = await attempts(jobId);
        return res.status === 200 && accept(res.body.data.items) ? res.body.data.items : undefined;
      },
      { what: `the delivery attempts of job ${jobId}` },
    );

  /** What a receiver does: recompute the HMAC over `${id}.${timestamp}.${body}` with the secret. */
  const expectSignedWith = (secret: string, { hit }: Received) => {
    const id = hit.headers['webhook-id'] as string;
    const timestamp = hit.headers['webhook-timestamp'] as string;
    const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.${hit.body}`).digest('base64');
    // Standard Webhooks' form first, Conveyor's older form after it (WEBHOOK_LEGACY_SIGNATURE, on by default).
    expect(hit.headers['webhook-signature']).toBe(`v1,${expected} v1=${expected}`);
    // The Standard Webhooks library accepts it (our free-text secrets are raw keys to it).
    expect(new Webhook(secret, { format: 'raw' }).verify(hit.body, hit.headers as Record<string, string>)).toEqual(JSON.parse(hit.body));
    expect(
      verifyWebhookSignature({
        secret,
        webhookId: id,
        timestamp,
        body: hit.body,
        signatureHeader: hit.headers['webhook-signature'] as string,
      }),
    ).toBe(true);
  };

  it('delivers a signed completed webhook that the receiver can verify', async () => {
    const jobId = await submit('/ok', { callbackUrl: receiver.url('/hooks/signed') });
    const [hook] = await waitForWebhooks(jobId, 1);

    expect(hook.hit.method).toBe('POST');
    expect(hook.hit.path).toBe('/hooks/signed');
    expect(hook.hit.headers['content-type']).toBe('application/json');
    expect(hook.hit.headers['webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Number(hook.hit.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expectSignedWith(SECRET, hook);
    expect(hook.body).toEqual({
      event: 'completed',
      jobId,
      status: 'completed',
      conveyorStatus: 'completed',
      progress: 100,
      step: null,
      result: expect.objectContaining({ statusCode: 200, responseExcerpt: 'ok' }),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const [attempt] = await waitForAttempts(jobId, (items) => items.length === 1);
    expect(attempt).toEqual({
      deliveryId: hook.hit.headers['webhook-id'],
      event: 'completed',
      attempt: 1,
      url: receiver.url('/hooks/signed'),
      statusCode: 200,
      durationMs: expect.any(Number),
      error: null,
      at: expect.any(String),
    });
    // Only what the spec allows is kept: the receiver's body ("thanks") is shown nowhere.
    expect(JSON.stringify((await attempts(jobId)).body)).not.toContain('thanks');
  });

  it("signs with the job's own callbackSecret when it has one", async () => {
    const own = 'my-very-own-secret-0001';
    const jobId = await submit('/ok', { callbackUrl: receiver.url('/hooks/own-secret'), callbackSecret: own });
    const [hook] = await waitForWebhooks(jobId, 1);
    expectSignedWith(own, hook);
    expect(verifyWebhookSignature({ ...signatureInput(hook), secret: SECRET })).toBe(false);
    // The secret is never shown back.
    expect(JSON.stringify((await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', USER)).body)).not.toContain(own);
    expect(JSON.stringify((await attempts(jobId)).body)).not.toContain(own);
  });

  it('retries a delivery the receiver refused with 500, with the same Webhook-Id, and lists every attempt', async () => {
    receiver.respond((req, res, _hit, hitsOnPath) => {
      res.statusCode = req.url === '/hooks/flaky' && hitsOnPath === 1 ? 500 : 200;
      res.end('internal details of the receiver');
    });
    const jobId = await submit('/ok', { callbackUrl: receiver.url('/hooks/flaky') });
    const [first, second] = await waitForWebhooks(jobId, 2);
    expect(second.hit.headers['webhook-id']).toBe(first.hit.headers['webhook-id']);
    expect(second.hit.body).toBe(first.hit.body);
    expectSignedWith(SECRET, second);

    const items = await waitForAttempts(jobId, (list) => list.length === 2);
    expect(items).toEqual([
      expect.objectContaining({ attempt: 2, statusCode: 200, error: null, event: 'completed' }),
      expect.objectContaining({ attempt: 1, statusCode: 500, error: 'Receiver answered 500; expected 2xx', event: 'completed' }),
    ]);
    expect(new Set(items.map((i: any) => i.deliveryId))).toEqual(new Set([first.hit.headers['webhook-id']]));
    expect(JSON.stringify(items)).not.toContain('internal details');

    // Owner and administrator only; anyone else is told the job does not exist.
    const admin = await attempts(jobId, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(admin.status).toBe(200);
    expect(admin.body.data.items).toHaveLength(2);
    const strangers: Array<Record<string, string>> = [{ 'x-user-id': 'someone-else' }, { 'x-session-id': 'anonymous-session-0001' }];
    for (const headers of strangers) {
      const other = await attempts(jobId, headers);
      expect(other.status).toBe(404);
      expect(other.body).toMatchObject({ success: false, error_code: 'JOB_NOT_FOUND' });
    }
    expect((await conveyor.http().get(`/api/v1/jobs/not-a-uuid/webhooks`).set('x-user-id', USER)).status).toBe(400);
    expect((await conveyor.http().get(`/api/v1/jobs/${jobId}/webhooks`)).status).toBe(401);
  });

  it('does not follow a redirect: a 3xx is a failed attempt and its target gets nothing', async () => {
    receiver.respond((req, res) => {
      if (req.url === '/hooks/moved') {
        res.statusCode = 302;
        res.setHeader('location', receiver.url('/hooks/redirect-target'));
      }
      res.end();
    });
    const jobId = await submit('/ok', { callbackUrl: receiver.url('/hooks/moved') });
    const items = await waitForAttempts(jobId, (list) => list.length === 3);
    for (const item of items) {
      expect(item).toMatchObject({ statusCode: 302, error: 'Receiver answered 302; redirects are not followed' });
    }
    expect(items.map((i: any) => i.attempt)).toEqual([3, 2, 1]);
    expect(receiver.hitsOn('/hooks/moved')).toHaveLength(3);
    expect(receiver.hitsOn('/hooks/redirect-target')).toHaveLength(0);
  });

  it('gives up on a receiver that does not answer within the timeout, and retries', async () => {
    receiver.respond((req, res) => {
      if (req.url === '/hooks/silent') return void setTimeout(() => res.end('late'), 20_000).unref();
      res.end();
    });
    const jobId = await submit('/ok', { callbackUrl: receiver.url('/hooks/silent') });
    const items = await waitForAttempts(jobId, (list) => list.length === 3);
    for (const item of items) {
      expect(item).toMatchObject({ statusCode: null, error: 'Attempt timed out after 1000 ms' });
      expect(item.durationMs).toBeGreaterThanOrEqual(990);
      expect(item.durationMs).toBeLessThan(5_000);
    }
  });

  it('delivers failed once, when the job has failed for good, not on the attempts that were retried', async () => {
    const jobId = await submit(
      '/fails',
      { callbackUrl: receiver.url('/hooks/failed') },
      { attempts: 2, backoff: { type: 'fixed', delay: 50 } },
    );
    await conveyor.waitForJob(jobId, USER, (j) => j.status === 'failed');
    const [hook] = await waitForWebhooks(jobId, 1);
    expect(hook.body).toMatchObject({
      event: 'failed',
      status: 'failed',
      step: 'read-response',
      error: { message: 'Expected status 2xx, got 500', code: 'UNEXPECTED_STATUS' },
    });
    expect(hook.body).not.toHaveProperty('result');
    expect(hook.body.error).not.toHaveProperty('stack');
    expectSignedWith(SECRET, hook);
    expect(target.hitsOn('/fails').length).toBeGreaterThanOrEqual(2);
    expect(received(jobId)).toHaveLength(1);
  });

  it('delivers cancelled when a running job is cancelled', async () => {
    const jobId = await submit('/held', { callbackUrl: receiver.url('/hooks/cancelled'), callbackEvents: ['cancelled'] });
    await conveyor.waitForJob(jobId, USER, (j) => j.status === 'active' && j.progress.step === 'send-request');
    await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set('x-user-id', USER).expect(200);
    const [hook] = await waitForWebhooks(jobId, 1);
    expect(hook.body).toMatchObject({ event: 'cancelled', jobId, status: 'cancelled', step: 'send-request' });
    expectSignedWith(SECRET, hook);
  });

  it('delivers cancelled when a waiting or delayed job is cancelled by the API', async () => {
    const jobId = await submit('/never', { callbackUrl: receiver.url('/hooks/cancelled-waiting') }, { delay: 60_000 });
    await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set('x-user-id', USER).expect(200);
    const [hook] = await waitForWebhooks(jobId, 1);
    expect(hook.body).toMatchObject({ event: 'cancelled', jobId, status: 'cancelled', progress: 0, step: null });
    expectSignedWith(SECRET, hook);
    expect(target.hitsOn('/never')).toHaveLength(0);
  });

  it('delivers cancelled when an operator cleans or clears the queue of jobs no worker took', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const cleaned = await submit('/never', { callbackUrl: receiver.url('/hooks/cleaned') }, { delay: 60_000 });
    const cleared = await submit('/never', { callbackUrl: receiver.url('/hooks/cleared') }, { delay: 60_000 });
    expect((await conveyor.http().post('/api/v1/queues/http/clean').set(admin).send({ status: 'delayed', limit: 1 })).status).toBe(200);
    expect((await conveyor.http().post('/api/v1/queues/http/clear').set(admin)).status).toBe(200);
    for (const jobId of [cleaned, cleared]) {
      const [hook] = await waitForWebhooks(jobId, 1);
      expect(hook.body).toMatchObject({ event: 'cancelled', jobId, status: 'cancelled' });
      expectSignedWith(SECRET, hook);
      expect(await conveyor.record(jobId)).toMatchObject({ status: 'cancelled' });
    }
    expect(target.hitsOn('/never')).toHaveLength(0);
  });

  it('documents the attempts route in Swagger', async () => {
    const docs = (await conveyor.http().get('/docs-json')).body;
    const route = docs.paths['/api/v1/jobs/{jobId}/webhooks']?.get;
    expect(route.description).toContain('Webhook-Signature: v1,<base64 HMAC-SHA256>');
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
    expect(docs.components.schemas.WebhookAttemptResponse.properties).toHaveProperty('statusCode');
  });

  it('delivers progress at each step only when the callback asked for it', async () => {
    const withProgress = await submit('/ok', { callbackUrl: receiver.url('/hooks/progress'), callbackEvents: ['progress', 'completed'] });
    const withoutProgress = await submit('/ok', { callbackUrl: receiver.url('/hooks/no-progress') });

    const hooks = await waitForWebhooks(withProgress, 4);
    const progress = hooks.filter((h) => h.body.event === 'progress');
    expect(progress.map((h) => h.body.step).sort()).toEqual(['check-target', 'read-response', 'send-request']);
    for (const h of progress) expect(h.body).toMatchObject({ status: 'active', progress: expect.any(Number) });
    expect(new Set(hooks.map((h) => h.hit.headers['webhook-id'])).size).toBe(4);
    expect(hooks.filter((h) => h.body.event === 'completed')).toHaveLength(1);

    const [only] = await waitForWebhooks(withoutProgress, 1);
    expect(only.body.event).toBe('completed');
    // The job with progress webhooks produced all of its deliveries meanwhile; this one produced one.
    await waitForAttempts(withProgress, (items) => items.length === 4);
    expect(received(withoutProgress)).toHaveLength(1);
  });

  // Last in this block: workers keep a queue's settings for up to 2 s, so the restored settings
  // could reach them after a following test's delivery.
  it('delivers with the WEBHOOK_* settings as the webhooks queue’s defaults, and with what an operator saves over them', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const configUrl = `/api/v1/queues/${QueueName.Webhooks}/config`;
    const before = await conveyor.http().get(configUrl).set(admin);
    expect(before.body.data.effective).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delayMs: 100 }, timeoutMs: 1000 });

    receiver.respond((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const webhooks = conveyor.queue(QueueName.Webhooks);
    const deliveryOf = (jobId: string) =>
      waitFor(async () => (await webhooks.getJobs(['waiting', 'active', 'delayed', 'failed'])).find((d) => d?.data.jobId === jobId), {
        what: `the delivery of job ${jobId}`,
      });
    expect(
      (
        await conveyor
          .http()
          .put(configUrl)
          .set(admin)
          .send({ attempts: 1, retention: { failed: 50 } })
      ).status,
    ).toBe(200);
    try {
      // The worker enqueues the delivery and reads the setting within QUEUE_SETTINGS_TTL_MS (2 s).
      const delivery = await waitFor(
        async () => {
          const d = await deliveryOf(await submit('/ok', { callbackUrl: receiver.url('/hooks/refuses') }));
          return d.opts.attempts === 1 ? d : undefined;
        },
        { what: 'a delivery with the saved attempts', intervalMs: 300 },
      );
      expect(delivery.opts).toMatchObject({ removeOnFail: 50 });
      const failed = await waitFor(
        async () => {
          const d = await webhooks.getJob(delivery.id);
          return d?.finishedOn ? d : undefined;
        },
        { what: 'the delivery to fail after its one attempt' },
      );
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toBe('Receiver answered 500; expected 2xx');
      expect(await waitForAttempts(delivery.data.jobId, (items) => items.length === 1)).toHaveLength(1);
    } finally {
      expect((await conveyor.http().put(configUrl).set(admin).send({})).status).toBe(200);
    }
  });
});

describe('Webhooks and the outbound policy', () => {
  let conveyor: Conveyor;
  let receiver: TargetServer;

  beforeAll(async () => {
    receiver = await TargetServer.start();
    conveyor = await Conveyor.start({ workers: 0, env: { WEBHOOK_SIGNING_SECRET: SECRET, WEBHOOK_BACKOFF_MS: '100' } });
    // The worker's policy no longer allows the receiver's host (changed since the job was accepted).
    await conveyor.startWorker({ OUTBOUND_ALLOWED_HOSTS: 'example.com' });
  });

  afterAll(async () => {
    await conveyor?.close();
    await receiver?.close();
  });

  it('refuses a receiver the policy does not allow at delivery time, once, without calling it', async () => {
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', USER)
      .send({ type: 'http.request', data: { url: receiver.url('/target'), method: 'GET' }, callbackUrl: receiver.url('/hooks/refused') });
    expect(res.status).toBe(201);
    const jobId = res.body.data.jobId as string;
    await conveyor.waitForJob(jobId, USER, (j) => j.status === 'failed');
    const items = await waitFor(
      async () => {
        const list = await conveyor.http().get(`/api/v1/jobs/${jobId}/webhooks`).set('x-user-id', USER);
        return list.body.data?.items.length === 1 ? list.body.data.items : undefined;
      },
      { what: 'the refused delivery attempt' },
    );
    expect(items[0]).toMatchObject({
      event: 'failed',
      attempt: 1,
      statusCode: null,
      error: 'Webhook URL refused: host 127.0.0.1 is not in the allowed hosts list',
    });
    // Permanent: not retried. The delivery job was discarded after its only attempt.
    const delivery = await waitFor(async () => {
      const job = await conveyor.queue(QueueName.Webhooks).getJob(items[0].deliveryId);
      return job && (await job.isFailed()) ? job : undefined;
    });
    expect(delivery.attemptsMade).toBe(1);
    expect(receiver.hits).toHaveLength(0);
  });
});

function signatureInput({ hit }: Received) {
  return {
    secret: '',
    webhookId: hit.headers['webhook-id'] as string,
    timestamp: hit.headers['webhook-timestamp'] as string,
    body: hit.body,
    signatureHeader: hit.headers['webhook-signature'] as string,
  };
}
