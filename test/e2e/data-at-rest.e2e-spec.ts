import { JobStatus, QueueName, verifyWebhookSignature } from '@conveyor/contracts';
import { JobsRepository, newJobRecord } from '@conveyor/database';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const OWNER = 'at-rest-owner';
const ADMIN_TOKEN = 'data-at-rest-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Distinctive strings: the payload sends one, the target answers another, the callback signs with a third. */
const PAYLOAD_MARKER = 'payload-marker-5f1c07e2';
const RESULT_MARKER = 'result-marker-9a3d44b1';
const CALLBACK_SECRET = 'callback-secret-c8e2f6a9d0';
const MARKERS = [PAYLOAD_MARKER, RESULT_MARKER, CALLBACK_SECRET];
const SEALED = /^enc:v1:e2e:/;

/**
 * RELIABILITY B11: job payloads, results and callback secrets are encrypted at rest. The raw Redis
 * keys and MongoDB documents hold none of them in plaintext, while the owner, an admin and the
 * webhook receiver still get them.
 */
describe('Data at rest', () => {
  let conveyor: Conveyor;
  let target: TargetServer;
  let receiver: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    receiver = await TargetServer.start();
    target.respond((req, res) => {
      res.statusCode = req.url === '/fails' ? 500 : 200;
      res.end(`answer ${RESULT_MARKER}`);
    });
    conveyor = await Conveyor.start({ workers: 1, env: { ADMIN_API_TOKEN: ADMIN_TOKEN } });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
    await receiver?.close();
  });

  const db = () => conveyor.app.get<Connection>(getConnectionToken()).db!;

  const submit = async (path: string, extra: object = {}) => {
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', OWNER)
      .send({
        type: 'http.request',
        data: { url: target.url(path), method: 'POST', headers: { 'x-note': PAYLOAD_MARKER }, body: { note: PAYLOAD_MARKER } },
        ...extra,
      });
    expect(res.status).toBe(201);
    return res.body.data.jobId as string;
  };

  /** Every value of every key in the suite's Redis, as one text. */
  const everythingInRedis = async (): Promise<string> => {
    const redis = conveyor.redis.client();
    try {
      const parts: string[] = [];
      for (const key of await redis.keys('*')) {
        const type = await redis.type(key);
        if (type === 'string') parts.push(key, (await redis.get(key)) ?? '');
        if (type === 'hash') parts.push(key, JSON.stringify(await redis.hgetall(key)));
        if (type === 'list') parts.push(key, ...(await redis.lrange(key, 0, -1)));
        if (type === 'set') parts.push(key, ...(await redis.smembers(key)));
        if (type === 'zset') parts.push(key, ...(await redis.zrange(key, 0, -1)));
        if (type === 'stream') parts.push(key, JSON.stringify(await redis.xrange(key, '-', '+')));
      }
      return parts.join('\n');
    } finally {
      redis.disconnect();
    }
  };

  /** Every document of every collection of the suite's database, as one text. */
  const everythingInMongo = async (): Promise<string> => {
    const parts: string[] = [];
    for (const { name } of await db().listCollections().toArray()) {
      parts.push(name, JSON.stringify(await db().collection(name).find().toArray()));
    }
    return parts.join('\n');
  };

  const expectNoMarkerIn = (what: string, text: string) => {
    for (const marker of MARKERS) expect([what, marker, text.includes(marker)]).toEqual([what, marker, false]);
  };

  it('keeps payload, result and callback secret sealed in Redis and MongoDB, and opens them for owner, admin and webhook', async () => {
    const jobId = await submit('/ok', { callbackUrl: receiver.url('/hooks'), callbackSecret: CALLBACK_SECRET });
    const job = await conveyor.waitForJob(jobId, OWNER, (j) => j.status === JobStatus.Completed);
    const hook = await waitFor(() => receiver.hits.find((h) => JSON.parse(h.body || '{}').jobId === jobId), {
      what: 'the completed webhook',
    });
    // The target saw the payload as sent: the worker opened it.
    const sent = target.hitsOn('/ok')[0];
    expect([sent.headers['x-note'], JSON.parse(sent.body)]).toEqual([PAYLOAD_MARKER, { note: PAYLOAD_MARKER }]);

    // Redis: Bull's own hash of the job (data and return value) holds ciphertext only…
    const redis = conveyor.redis.client();
    const hash = await redis.hgetall(conveyor.queue(QueueName.Http).toKey(jobId)).finally(() => redis.disconnect());
    expect(Object.keys(hash)).toEqual(expect.arrayContaining(['data', 'returnvalue']));
    const envelope = JSON.parse(hash.data);
    expect(envelope.payload).toMatch(SEALED);
    expect(envelope.callback).toMatchObject({ url: receiver.url('/hooks'), secret: expect.stringMatching(SEALED) });
    expect(JSON.parse(hash.returnvalue)).toMatch(SEALED);
    // …and so does every other key (the webhook delivery's hash included).
    expectNoMarkerIn('Redis', await everythingInRedis());

    // MongoDB: the raw document, not the repository.
    const raw = await db()
      .collection('jobs')
      .findOne({ _id: jobId as never });
    expect(raw).toMatchObject({ data: expect.stringMatching(SEALED), result: expect.stringMatching(SEALED) });
    expect(raw!.callback).toMatchObject({ secret: expect.stringMatching(SEALED) });
    expectNoMarkerIn('MongoDB', await everythingInMongo());

    // The owner reads the result opened, on the job and on its status.
    expect(job.result).toMatchObject({ statusCode: 200, responseExcerpt: `answer ${RESULT_MARKER}` });
    const status = await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set('x-user-id', OWNER);
    expect(status.body.data.result).toEqual(job.result);
    // So does an admin.
    const asAdmin = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set(admin);
    expect(asAdmin.body.data.result).toEqual(job.result);
    // The secret is never shown.
    expect(JSON.stringify([job, status.body, asAdmin.body])).not.toContain(CALLBACK_SECRET);

    // The receiver gets the result in plaintext, signed with the callback's own secret.
    const body = JSON.parse(hook.body);
    expect(body).toMatchObject({ event: 'completed', jobId, result: { responseExcerpt: `answer ${RESULT_MARKER}` } });
    const signed = {
      webhookId: hook.headers['webhook-id'] as string,
      timestamp: hook.headers['webhook-timestamp'] as string,
      body: hook.body,
      signatureHeader: hook.headers['webhook-signature'] as string,
    };
    expect(verifyWebhookSignature({ ...signed, secret: CALLBACK_SECRET })).toBe(true);
  });

  it('shows an admin the payload of a dead letter opened, while it stays sealed at rest', async () => {
    const jobId = await submit('/fails', { options: { attempts: 1 } });
    await conveyor.waitForJob(jobId, OWNER, (j) => j.status === JobStatus.Failed);
    const letter = await conveyor.http().get(`/api/v1/dead-letters/${jobId}`).set(admin);
    expect(letter.body.data.data).toEqual({
      url: target.url('/fails'),
      method: 'POST',
      headers: { 'x-note': PAYLOAD_MARKER },
      body: { note: PAYLOAD_MARKER },
    });
    expect(
      (await db()
        .collection('jobs')
        .findOne({ _id: jobId as never }))!.data,
    ).toMatch(SEALED);
    expectNoMarkerIn('Redis', await everythingInRedis());
    expectNoMarkerIn('MongoDB', await everythingInMongo());
  });

  it('still reads records written before encryption (plaintext passes through)', async () => {
    const jobId = randomUUID();
    const record = newJobRecord({
      jobId,
      ownerKey: `user:${OWNER}`,
      type: 'http.request',
      queue: QueueName.Http,
      data: { url: target.url('/legacy'), method: 'GET' },
      options: { priority: 5, delayMs: 0, attempts: 1, timeoutMs: 10_000, backoff: { type: 'fixed', delayMs: 0 } },
    });
    await conveyor.app.get(JobsRepository).insert({
      ...record,
      status: JobStatus.Completed,
      seq: 6,
      result: { legacy: 'plaintext result' },
      finishedAt: new Date(),
    });
    const res = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', OWNER);
    expect(res.body.data).toMatchObject({ status: 'completed', result: { legacy: 'plaintext result' } });
  });
});
