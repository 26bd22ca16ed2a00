import { QueueName } from '@conveyor/contracts';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'submitter';

/** POST /api/v1/jobs extras: Idempotency-Key, dryRun, Prefer: wait, bulk, admission control. */
describe('Submission', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start();
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const job = (path: string, options: object = {}) => ({ type: 'http.request', data: { url: target.url(path), method: 'GET' }, options });
  const post = (body: object, headers: Record<string, string> = {}) =>
    conveyor
      .http()
      .post('/api/v1/jobs')
      .set({ 'x-user-id': USER, ...headers })
      .send(body);
  const queue = () => conveyor.queue(QueueName.Http);

  describe('Idempotency-Key', () => {
    it('replays the first answer (same status and body) and enqueues once', async () => {
      const first = await post(job('/idem-once', { delay: 600_000 }), { 'idempotency-key': 'order-42' });
      expect(first.status).toBe(201);
      const again = await post(job('/idem-once', { delay: 600_000 }), { 'idempotency-key': 'order-42' });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const delayed = await queue().getDelayed();
      expect(delayed.filter((j) => conveyor.payloadOf(j).url === target.url('/idem-once'))).toHaveLength(1);
    });

    it('treats the same body with keys in another order as the same request', async () => {
      const body = { type: 'http.request', data: { method: 'GET', url: target.url('/idem-order') }, options: { delay: 600_000 } };
      const first = await post(body, { 'idempotency-key': 'reordered' });
      const reordered = { options: { delay: 600_000 }, data: { url: target.url('/idem-order'), method: 'GET' }, type: 'http.request' };
      expect((await post(reordered, { 'idempotency-key': 'reordered' })).body).toEqual(first.body);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED to the same key with another body', async () => {
      await post(job('/idem-a', { delay: 600_000 }), { 'idempotency-key': 'reused' });
      const res = await post(job('/idem-b', { delay: 600_000 }), { 'idempotency-key': 'reused' });
      expect(res.status).toBe(422);
      expect(res.body.error_code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('keeps keys apart per caller', async () => {
      const mine = await post(job('/idem-caller', { delay: 600_000 }), { 'idempotency-key': 'shared-key' });
      const theirs = await post(job('/idem-caller', { delay: 600_000 }), { 'idempotency-key': 'shared-key', 'x-user-id': 'someone-else' });
      expect(theirs.status).toBe(201);
      expect(theirs.body.data.jobId).not.toBe(mine.body.data.jobId);
    });

    it('frees the key when the first request failed, so a corrected retry works', async () => {
      const bad = await post({ type: 'http.request', data: { url: 'not a url', method: 'GET' } }, { 'idempotency-key': 'fix-me' });
      expect(bad.status).toBe(400);
      expect((await post(job('/idem-fixed', { delay: 600_000 }), { 'idempotency-key': 'fix-me' })).status).toBe(201);
    });

    it.each([
      ['a key over 255 characters', 'k'.repeat(256)],
      ['a key with spaces', 'has spaces'],
    ])('refuses %s (400)', async (_what, key) => {
      const res = await post(job('/idem-bad'), { 'idempotency-key': key });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('Idempotency-Key');
    });

    it('lets only one of two concurrent requests with one key submit', async () => {
      const body = job('/idem-race', { delay: 600_000 });
      const answers = await Promise.all([1, 2, 3].map(() => post(body, { 'idempotency-key': 'race' })));
      const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.data.jobId));
      expect(ids.size).toBe(1);
      for (const a of answers) expect([201, 409]).toContain(a.status);
      const delayed = await queue().getDelayed();
      expect(delayed.filter((j) => conveyor.payloadOf(j).url === target.url('/idem-race'))).toHaveLength(1);
    });
  });

  describe('callback', () => {
    it.each([
      [
        'a private callbackUrl',
        { callbackUrl: 'http://10.1.2.3/hook', callbackSecret: 's'.repeat(16) },
        'TARGET_NOT_ALLOWED',
        'callbackUrl',
      ],
      ['no secret when the service has none', { callbackUrl: 'http://127.0.0.1:9/hook' }, 'VALIDATION_FAILED', 'callbackSecret'],
      ['events without a callbackUrl', { callbackEvents: ['completed'] }, 'VALIDATION_FAILED', 'callbackUrl'],
      [
        'an unknown event',
        { callbackUrl: 'http://127.0.0.1:9/hook', callbackSecret: 's'.repeat(16), callbackEvents: ['started'] },
        'VALIDATION_FAILED',
        'callbackEvents',
      ],
      ['a short secret', { callbackUrl: 'http://127.0.0.1:9/hook', callbackSecret: 'short' }, 'VALIDATION_FAILED', 'callbackSecret'],
    ])('refuses %s (400, nothing enqueued)', async (_what, extra, code, field) => {
      const res = await post({ ...job('/callback-refused'), ...extra });
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe(code);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(target.hitsOn('/callback-refused')).toHaveLength(0);
    });

    it('never shows the callback secret back', async () => {
      const res = await post({
        ...job('/callback-secret', { delay: 600_000 }),
        callbackUrl: 'http://127.0.0.1:9/hook',
        callbackSecret: 'my-own-secret-0123456789',
      });
      expect(res.status).toBe(201);
      const view = await conveyor.http().get(`/api/v1/jobs/${res.body.data.jobId}`).set('x-user-id', USER);
      expect(JSON.stringify(view.body)).not.toContain('my-own-secret');
    });
  });

  describe('dryRun', () => {
    const recordCount = async () =>
      (await conveyor.http().get('/api/v1/jobs').query({ limit: 100 }).set('x-user-id', USER)).body.data.items.length;

    it('returns the resolved plan and enqueues nothing', async () => {
      const before = await queue().getJobCounts();
      const recordsBefore = await recordCount();
      const res = await conveyor
        .http()
        .post('/api/v1/jobs?dryRun=true')
        .set('x-user-id', USER)
        .send(job('/dry', { priority: 'high', delay: 5000, attempts: 2, backoff: { type: 'fixed', delay: 100 }, timeout: 2000 }));
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        dryRun: true,
        type: 'http.request',
        queue: 'http',
        priority: 3,
        delayMs: 5000,
        attempts: 2,
        backoff: { type: 'fixed', delayMs: 100 },
        timeoutMs: 2000,
        queuePosition: null,
        estimatedWaitSeconds: expect.any(Number),
        admitted: true,
      });
      expect(await queue().getJobCounts()).toEqual(before);
      expect(await recordCount()).toBe(recordsBefore);
    });

    it('validates like a real submit', async () => {
      const res = await conveyor
        .http()
        .post('/api/v1/jobs?dryRun=true')
        .set('x-user-id', USER)
        .send({ type: 'http.request', data: { url: 'file:///etc/passwd', method: 'GET' } });
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('TARGET_NOT_ALLOWED');
      const badFlag = await conveyor.http().post('/api/v1/jobs?dryRun=maybe').set('x-user-id', USER).send(job('/dry'));
      expect(badFlag.status).toBe(400);
      expect(badFlag.body.errors[0].field).toBe('dryRun');
    });
  });

  describe('Prefer: wait', () => {
    it('answers 200 with the final state when the job finishes in time', async () => {
      target.respond((_req, res) => res.end('quick'));
      const res = await post(job('/prefer-fast'), { prefer: 'wait=10' });
      expect(res.status).toBe(200);
      expect(res.headers['preference-applied']).toBe('wait=10');
      expect(res.body.data).toMatchObject({ status: 'completed', result: { statusCode: 200, responseExcerpt: 'quick' } });
    });

    it('answers 202 with Location and Retry-After when it does not', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      target.respond((req, res) => {
        if (req.url === '/prefer-slow') void released.then(() => res.end('late'));
        else res.end('ok');
      });
      const started = Date.now();
      const res = await post(job('/prefer-slow'), { prefer: 'wait=1' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(res.status).toBe(202);
      expect(res.headers.location).toBe(`/api/v1/jobs/${res.body.data.jobId}`);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // The same Idempotency-Key while the job still runs answers with that job, never a new one.
      const keyed = await post(job('/prefer-slow'), { prefer: 'wait=1', 'idempotency-key': 'slow-once' });
      expect(keyed.status).toBe(202);
      const replay = await post(job('/prefer-slow'), { prefer: 'wait=1', 'idempotency-key': 'slow-once' });
      expect(replay.body.data.jobId).toBe(keyed.body.data.jobId);
      release();
      await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'completed');
      expect(target.hitsOn('/prefer-slow')).toHaveLength(2);
    });
  });

  describe('bulk', () => {
    it('accepts the good items and answers each bad one on its own', async () => {
      target.respond((_req, res) => res.end('ok'));
      const res = await conveyor
        .http()
        .post('/api/v1/jobs/bulk')
        .set('x-user-id', USER)
        .send({
          jobs: [
            job('/bulk-0'),
            { type: 'http.request', data: { url: target.url('/bulk-1'), method: 'BREW' } },
            'not a job',
            { type: 'no.such.type', data: {} },
            job('/bulk-4', { priority: 'urgent' }),
            { ...job('/bulk-5'), ownerKey: 'user:someone-else' },
          ],
        });
      expect(res.status).toBe(200);
      expect(res.body.data.accepted).toBe(2);
      expect(res.body.data.rejected).toBe(4);
      const items = res.body.data.items;
      expect(items.map((i: { index: number }) => i.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(items[0].job).toMatchObject({ queue: 'http', status: 'waiting' });
      expect(items[1].error).toMatchObject({
        error_code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ field: 'data.method' })],
      });
      expect(items[2].error).toMatchObject({ error_code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'jobs[2]' })] });
      expect(items[3].error.error_code).toBe('UNKNOWN_JOB_TYPE');
      expect(items[5].error.errors[0].field).toBe('jobs[5].ownerKey');
      for (const i of [0, 4]) await conveyor.waitForJob(items[i].job.jobId, USER, (j) => j.status === 'completed');
      expect(target.hitsOn('/bulk-1')).toHaveLength(0);
    });

    it.each([
      ['an empty list', { jobs: [] }],
      ['more than 500 jobs', { jobs: Array.from({ length: 501 }, () => ({ type: 'http.request', data: {} })) }],
      ['no list', { items: [] }],
    ])('refuses %s (400)', async (_what, body) => {
      const res = await conveyor.http().post('/api/v1/jobs/bulk').set('x-user-id', USER).send(body);
      expect(res.status).toBe(400);
    });
  });

  describe('admission control', () => {
    /** What admission counts: jobs not yet running (waiting or paused, and delayed). */
    const backlogOf = async () => {
      const counts = await queue().getJobCounts();
      return counts.waiting + counts.delayed + ((counts as { paused?: number }).paused ?? 0);
    };

    it('answers 429 QUEUE_FULL with Retry-After at the backlog limit, single and bulk', async () => {
      await queue().pause(); // workers paused: nothing drains the backlog
      try {
        // Earlier tests left delayed jobs behind; the limit leaves room for exactly three more.
        const backlog = await backlogOf();
        const limited = await conveyor.extraApi({ QUEUE_BACKLOG_LIMIT: String(backlog + 3) });
        const send = (body: object) => limited.http().post('/api/v1/jobs').set('x-user-id', USER).send(body);
        for (let i = 0; i < 3; i++) expect((await send(job(`/full-${i}`))).status).toBe(201);
        const refused = await send(job('/full-3'));
        expect(refused.status).toBe(429);
        expect(refused.body.error_code).toBe('QUEUE_FULL');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        const dry = await limited.http().post('/api/v1/jobs?dryRun=true').set('x-user-id', USER).send(job('/full-dry'));
        expect(dry.body.data.admitted).toBe(false);
        const bulk = await limited
          .http()
          .post('/api/v1/jobs/bulk')
          .set('x-user-id', USER)
          .send({ jobs: [job('/full-b0')] });
        expect(bulk.body.data.items[0].error.error_code).toBe('QUEUE_FULL');
        expect(target.hitsOn('/full-3')).toHaveLength(0);
      } finally {
        await queue().resume();
      }
      await waitFor(async () => (await queue().getJobCounts()).waiting === 0, { what: 'the backlog to drain' });
    });

    it('counts the reservations of submits still on their way, and not those of submits that died', async () => {
      await queue().pause();
      const reservations = queue().toKey('conveyor:admission');
      try {
        const backlog = await backlogOf();
        const limited = await conveyor.extraApi({ QUEUE_BACKLOG_LIMIT: String(backlog + 1) });
        const send = (path: string) => limited.http().post('/api/v1/jobs').set('x-user-id', USER).send(job(path));
        // Another replica's submit on its way holds the one free place: refused.
        await queue().client.zadd(reservations, Date.now() + 30_000, 'on-its-way:1');
        expect((await send('/reserved-0')).status).toBe(429);
        // That submit died and its reservation expired: the place is free again.
        await queue().client.zadd(reservations, Date.now() - 1, 'on-its-way:1');
        expect((await send('/reserved-1')).status).toBe(201);
        expect(await queue().client.zscore(reservations, 'on-its-way:1')).toBeNull();
        // An expired reservation that is not in the way costs nothing: left alone, and the set
        // gets no expiry (it empties itself as live submits release theirs).
        const roomy = await conveyor.extraApi({ QUEUE_BACKLOG_LIMIT: String(backlog + 10) });
        await queue().client.zadd(reservations, Date.now() - 1, 'died-long-ago:1');
        expect((await roomy.http().post('/api/v1/jobs').set('x-user-id', USER).send(job('/reserved-2'))).status).toBe(201);
        expect(await queue().client.zscore(reservations, 'died-long-ago:1')).not.toBeNull();
        expect(await queue().client.pttl(reservations)).toBe(-1);
      } finally {
        await queue().client.del(reservations);
        await queue().resume();
      }
      await waitFor(async () => (await queue().getJobCounts()).waiting === 0, { what: 'the backlog to drain' });
    });

    it('never admits past the limit under 300 concurrent submits; Bull holds exactly the admitted jobs', async () => {
      await queue().pause();
      try {
        const before = await backlogOf();
        const limited = await conveyor.extraApi({ QUEUE_BACKLOG_LIMIT: String(before + 100), THROTTLE_SUBMIT_LIMIT: '1000' });
        const responses = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            limited
              .http()
              .post('/api/v1/jobs')
              .set('x-user-id', USER)
              .send(job(`/race-${i}`)),
          ),
        );
        const admitted = responses.filter((r) => r.status === 201);
        const refused = responses.filter((r) => r.status !== 201);
        // Reserved room counts twice for a moment (reserved and in Bull), so a few may be refused early.
        expect(admitted.length).toBeLessThanOrEqual(100);
        expect(admitted.length).toBeGreaterThanOrEqual(90);
        for (const res of refused) {
          expect([res.status, res.body.error_code]).toEqual([429, 'QUEUE_FULL']);
          expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        }
        expect((await backlogOf()) - before).toBe(admitted.length);
      } finally {
        await queue().resume();
      }
      await waitFor(async () => (await queue().getJobCounts()).waiting === 0, { what: 'the backlog to drain' });
    });
  });
});
