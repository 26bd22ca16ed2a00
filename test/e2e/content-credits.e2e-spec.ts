import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Conveyor } from '../support/conveyor';
import { Gate } from '../support/viral-services';
import { waitFor } from '../support/wait-for';
import { FakeGenerationService } from '../support/website-services';

const ADMIN_TOKEN = 'content-credits-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const user = (id: string) => ({ 'x-user-id': id });

/** Seed 003's content generation and its credits: reserved at submit, captured once, released on failure. */
describe('Content generation with credits (seed 003)', () => {
  let conveyor: Conveyor;
  let generation: FakeGenerationService;
  let db: Connection;

  beforeAll(async () => {
    generation = await FakeGenerationService.start();
    conveyor = await Conveyor.start({
      workers: 1,
      env: { ...generation.env(), ADMIN_API_TOKEN: ADMIN_TOKEN, THROTTLE_ADMIN_LIMIT: '1000' },
    });
    db = conveyor.app.get<Connection>(getConnectionToken());
    // A failed attempt is retried after 200 ms instead of 10 s, so failures end within the test.
    const res = await conveyor
      .http()
      .put('/api/v1/queues/amb-jobs/config')
      .set(admin)
      .send({ backoff: { type: 'fixed', delay: 200 } });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await conveyor?.close();
    await generation?.close();
  });

  const submit = (headers: Record<string, string>, body: object = { topic: 'Winter tyres' }) =>
    conveyor.http().post('/api/v1/jobs/content-generation').set(headers).send(body);
  const credits = async (id: string) => (await conveyor.http().get('/api/v1/credits').set(user(id))).body.data;
  const grant = async (userId: string, amount: number, grantId?: string) => {
    const res = await conveyor.http().post('/api/v1/credits/grants').set(admin).send({ userId, amount, reason: 'test', grantId });
    expect(res.status).toBe(201);
    return res.body.data;
  };
  const settled = (jobId: string, id: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const status = (await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set(user(id))).body.data;
        return status?.status === 'succeeded' || status?.status === 'failed' ? status : undefined;
      },
      { what: `job ${jobId} to settle`, timeoutMs },
    );
  const ledger = (jobId: string) => db.collection('credit_ledger').find({ jobId }).sort({ _id: 1 }).toArray();
  /** The job's ledger entries as `key=kind`, in key order. */
  const entries = async (jobId: string) => (await ledger(jobId)).map((e) => `${e._id}=${e.kind}`);

  it('is for signed-in users: a session alone gets 401', async () => {
    const session = { 'x-session-id': `content-session-${Date.now()}` };
    for (const res of [await submit(session), await conveyor.http().get('/api/v1/credits').set(session)]) {
      expect(res.status).toBe(401);
      expect(res.body.error_code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses without credits (402); with a grant: reserved, then captured once although the worker died mid-run', async () => {
    const refused = await submit(user('writer-1'));
    expect(refused.status).toBe(402);
    expect(refused.body.error_code).toBe('INSUFFICIENT_CREDITS');
    expect(await credits('writer-1')).toMatchObject({ balance: 0, reserved: 0, available: 0, recent: [] });

    // Grants are admin-only and idempotent by grant id.
    expect(
      (await conveyor.http().post('/api/v1/credits/grants').set(user('writer-1')).send({ userId: 'writer-1', amount: 5, reason: 'me' }))
        .status,
    ).toBe(403);
    expect(await grant('writer-1', 2, 'welcome-writer-1')).toMatchObject({ granted: true, balance: 2, available: 2 });
    expect(await grant('writer-1', 2, 'welcome-writer-1')).toMatchObject({ granted: false, balance: 2, available: 2 });

    const gate = new Gate();
    generation.gates.set('blog_post', gate);
    try {
      const res = await submit(user('writer-1'), { topic: 'Chain care', additionalInstructions: 'Short', options: { tone: 'friendly' } });
      expect(res.status).toBe(201);
      const jobId: string = res.body.data.jobId;
      expect(await credits('writer-1')).toMatchObject({ balance: 2, reserved: 1, available: 1 });

      // The worker is inside the generation call: kill it there; another picks the job up again.
      await waitFor(() => generation.requests('blog_post').some((r) => r.input.topic === 'Chain care'), {
        what: 'the first blog_post call',
      });
      await conveyor.workers[0].kill();
      await conveyor.startWorker();
      await waitFor(() => generation.requests('blog_post').filter((r) => r.input.topic === 'Chain care').length === 2, {
        what: 'the redelivered blog_post call',
      });
      gate.open();

      const status = await settled(jobId, 'writer-1');
      expect(status.status).toBe('succeeded');
      expect(status.result).toMatchObject({
        data: { title: 'All about Chain care', metaDescription: 'Read about Chain care', tags: ['bikes', 'repair'] },
        savedPost: { id: jobId, title: 'All about Chain care' },
        metadata: { topic: 'Chain care', credits: 1, answerBytes: expect.any(Number) },
        imageGeneration: { status: 'generated', imageUrl: 'https://images.example/All%20about%20Chain%20care.png' },
      });
      expect(generation.requests('blog_post').find((r) => r.input.topic === 'Chain care')?.input).toEqual({
        topic: 'Chain care',
        additionalInstructions: 'Short',
        options: { tone: 'friendly' },
      });
      expect(await credits('writer-1')).toMatchObject({ balance: 1, reserved: 0, available: 1 });
      expect(await entries(jobId)).toEqual([`close:${jobId}:1=capture`, `reserve:${jobId}:1=reserve`]);
      expect(await db.collection('website_posts').countDocuments({ _id: jobId as never })).toBe(1);
    } finally {
      generation.gates.delete('blog_post');
      gate.open();
    }
  });

  it('releases the reservation when the run fails, and reserves again when the job API retries it', async () => {
    await grant('writer-2', 2);
    generation.failures.set('blog_post', 400);
    let jobId: string;
    try {
      const res = await submit(user('writer-2'), { topic: 'Failing topic' });
      expect(res.status).toBe(201);
      jobId = res.body.data.jobId;
      const failed = await settled(jobId, 'writer-2');
      expect(failed).toMatchObject({ status: 'failed', conveyorStatus: 'failed', error: expect.stringMatching(/400/) });
      await waitFor(async () => (await credits('writer-2')).reserved === 0, { what: 'the reservation to be released' });
      expect(await credits('writer-2')).toMatchObject({ balance: 2, reserved: 0, available: 2 });
      expect(await entries(jobId)).toEqual([`close:${jobId}:1=release`, `reserve:${jobId}:1=reserve`]);
    } finally {
      generation.failures.delete('blog_post');
    }

    // Two retries at once: one starts run 2 (and reserves for it), the other is refused.
    const [first, second] = await Promise.all([
      conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set(user('writer-2')),
      conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set(user('writer-2')),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const retried = first.status === 200 ? first : second;
    expect(retried.body.data).toEqual({ jobId, run: 2, status: 'queued' });
    expect((await settled(jobId, 'writer-2')).status).toBe('succeeded');
    expect(await credits('writer-2')).toMatchObject({ balance: 1, reserved: 0, available: 1 });
    expect(await entries(jobId)).toEqual([
      `close:${jobId}:1=release`,
      `close:${jobId}:2=capture`,
      `reserve:${jobId}:1=reserve`,
      `reserve:${jobId}:2=reserve`,
    ]);
  });

  it('makes a release its run-ended hook never wrote when the credits are next read', async () => {
    await grant('writer-6', 1);
    generation.failures.set('blog_post', 400);
    try {
      const jobId: string = (await submit(user('writer-6'), { topic: 'Lost release' })).body.data.jobId;
      expect((await settled(jobId, 'writer-6')).status).toBe('failed');
      await waitFor(async () => (await ledger(jobId)).length === 2, { what: 'the release' });
      // As if the app running the hook had died before writing it.
      await db.collection('credit_ledger').deleteOne({ _id: `close:${jobId}:1` as never });
      expect(await credits('writer-6')).toMatchObject({ balance: 1, reserved: 0, available: 1 });
      expect(await entries(jobId)).toEqual([`close:${jobId}:1=release`, `reserve:${jobId}:1=reserve`]);
    } finally {
      generation.failures.delete('blog_post');
    }
  });

  it('releases the reservation of a cancelled run, which reads failed with the error Cancelled', async () => {
    await grant('writer-3', 1);
    const gate = new Gate();
    generation.gates.set('blog_post', gate);
    try {
      const res = await submit(user('writer-3'), { topic: 'Cancelled topic' });
      const jobId: string = res.body.data.jobId;
      await waitFor(() => generation.requests('blog_post').some((r) => r.input.topic === 'Cancelled topic'), {
        what: 'the blog_post call',
      });
      expect((await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(user('writer-3'))).status).toBe(200);
      expect(await settled(jobId, 'writer-3')).toMatchObject({ status: 'failed', error: 'Cancelled', conveyorStatus: 'cancelled' });
      await waitFor(async () => (await credits('writer-3')).reserved === 0, { what: 'the reservation to be released' });
      expect(await credits('writer-3')).toMatchObject({ balance: 1, available: 1 });
      expect(await db.collection('website_posts').countDocuments({ _id: jobId as never })).toBe(0);
    } finally {
      generation.gates.delete('blog_post');
      gate.open();
    }
  });

  it('spends the last credit once when several submits race for it', async () => {
    await grant('writer-4', 1);
    const gate = new Gate();
    generation.gates.set('blog_post', gate);
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => submit(user('writer-4'), { topic: `Race ${i}` })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 402, 402, 402, 402]);
      expect(await credits('writer-4')).toMatchObject({ balance: 1, reserved: 1, available: 0 });
    } finally {
      generation.gates.delete('blog_post');
      gate.open();
    }
  });

  it('refuses what it cannot run: another organization, the generic submit route, a bad body', async () => {
    await grant('writer-5', 1);
    const other = await submit(user('writer-5'), { topic: 'x', organizationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' });
    expect(other.status).toBe(404);
    expect(other.body.error_code).toBe('ORGANIZATION_NOT_FOUND');
    const generic = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(user('writer-5'))
      .send({ type: 'content_generation', data: { topic: 'x' } });
    expect(generic.status).toBe(400);
    expect(generic.body.detail).toMatch(/content-generation/);
    for (const body of [{}, { topic: '' }, { topic: 'x', businessInfo: 'not an object' }, { topic: 'x', extra: 1 }]) {
      const res = await submit(user('writer-5'), body);
      expect(res.status).toBe(400);
    }
    expect(await credits('writer-5')).toMatchObject({ balance: 1, reserved: 0, available: 1 });
  });
});
