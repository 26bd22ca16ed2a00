import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Conveyor } from '../support/conveyor';
import { SseClient } from '../support/sse-client';
import { TargetServer } from '../support/target-server';
import { Gate } from '../support/viral-services';
import { waitFor } from '../support/wait-for';
import { FakeGenerationService, FakeWebsite } from '../support/website-services';
import { listen } from '../support/listen';

const STEPS = ['Analyzing website…', 'Generating audiences…', 'Generating pitches…', 'Generating images…'];

/** The status route, as seed 003's frontend polls it. */
async function statusRead(conveyor: Conveyor, jobId: string, headers: Record<string, string>): Promise<any> {
  return (await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set(headers)).body.data;
}

/** Polls the status route until `succeeded` or `failed`, as seed 003's frontend does. */
function settledStatus(conveyor: Conveyor, jobId: string, headers: Record<string, string>): Promise<any> {
  return waitFor(
    async () => {
      const status = await statusRead(conveyor, jobId, headers);
      return status?.status === 'succeeded' || status?.status === 'failed' ? status : undefined;
    },
    { what: `job ${jobId} to settle`, timeoutMs: 20_000 },
  );
}

/** Seed 003's website analysis, as its frontend uses it: create, then poll the status route. */
describe('Website analysis (seed 003)', () => {
  let conveyor: Conveyor;
  let site: FakeWebsite;
  let generation: FakeGenerationService;
  let api: string;
  let sessions = 0;
  const session = () => ({ 'x-session-id': `website-session-${++sessions}-${Date.now()}` });

  beforeAll(async () => {
    site = await FakeWebsite.start();
    generation = await FakeGenerationService.start();
    conveyor = await Conveyor.start({
      workers: 1,
      env: { ...generation.env(), WEBHOOK_SIGNING_SECRET: 'website-webhook-secret-0123456789' },
    });
    api = await listen(conveyor.app);
  });

  afterAll(async () => {
    await conveyor?.close();
    await site?.close();
    await generation?.close();
  });

  const create = async (headers: Record<string, string>, url: string) => {
    const res = await conveyor.http().post('/api/v1/jobs/website-analysis').set(headers).send({ url });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({ jobId: expect.any(String), status: 'queued' });
    return res.body.data.jobId as string;
  };

  const statusOf = (jobId: string, headers: Record<string, string>) => statusRead(conveyor, jobId, headers);
  const settled = (jobId: string, headers: Record<string, string>) => settledStatus(conveyor, jobId, headers);

  it('analyses the site in four steps, in order, and answers in seed 003’s words', async () => {
    const me = session();
    const jobId = await create(me, site.url('/'));
    const stream = await SseClient.open(api, `/api/v1/jobs/${jobId}/events`, me);
    const status = await settled(jobId, me);
    await stream.end();

    const steps = stream.events.filter((e) => e.event === 'progress').map((e) => e.data.step);
    expect([...new Set(steps)]).toEqual(STEPS);
    expect(stream.last()).toMatchObject({ event: 'succeeded', data: { status: 'succeeded', conveyorStatus: 'completed' } });
    expect(generation.tasks()).toEqual(['audiences', 'pitches', 'pitches', 'image', 'image']);
    expect(generation.requests('audiences')[0].authorization).toBe('Bearer generation-token-1');

    expect(status).toMatchObject({ jobId, status: 'succeeded', conveyorStatus: 'completed', progress: 100 });
    expect((await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set(me)).headers['retry-after']).toBeUndefined();
    const { analysis, scenarios, ctas, organizationId, notes } = status.result;
    expect(analysis).toMatchObject({
      title: 'Spoke & Chain — bicycle repairs',
      description: 'Bikes repaired while you wait.',
      language: 'en',
      contacts: { emails: ['hello@spoke.example'], phones: ['+442079460000'] },
      socials: [{ platform: 'instagram', handle: 'spokeandchain', url: 'https://instagram.com/spokeandchain' }],
    });
    expect(analysis.headings[0]).toEqual({ level: 1, text: 'Spoke & Chain' });
    expect(analysis.summary.topKeywords[0]).toEqual({ word: 'bicycle', count: expect.any(Number) });
    // The home page and the three same-site pages it links; the contact page through its redirect.
    expect(analysis.pages).toEqual([
      expect.objectContaining({ url: site.url('/'), status: 200 }),
      expect.objectContaining({ url: site.url('/about'), status: 200, title: 'About Spoke & Chain' }),
      expect.objectContaining({ url: site.url('/pricing'), status: 200 }),
      expect.objectContaining({ url: site.url('/contact'), finalUrl: site.url('/contact-us'), status: 200 }),
    ]);
    expect(ctas).toEqual(expect.arrayContaining([expect.objectContaining({ text: 'Book a service', target: site.url('/book') })]));
    // The answer's item without a description is dropped; two audiences, each with pitches and an image.
    expect(scenarios).toEqual([
      {
        audience: expect.objectContaining({ name: 'Commuters' }),
        pitches: [expect.objectContaining({ cta: 'Book a service' })],
        imageUrl: 'https://images.example/Commuters.png',
      },
      {
        audience: expect.objectContaining({ name: 'Weekend riders' }),
        pitches: expect.any(Array),
        imageUrl: 'https://images.example/Weekend%20riders.png',
      },
    ]);
    expect(notes).toEqual([]);

    // The job read and the list speak the same words.
    const read = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set(me);
    expect(read.body.data).toMatchObject({ status: 'succeeded', conveyorStatus: 'completed', type: 'website_analysis' });
    const list = await conveyor.http().get('/api/v1/jobs').set(me);
    expect(list.body.data.items).toEqual([expect.objectContaining({ jobId, status: 'succeeded' })]);

    // Kept for the session's organization; a second analysis reuses it and saves no CTA twice.
    const db = conveyor.app.get<Connection>(getConnectionToken());
    const ctaCount = () => db.collection('website_ctas').countDocuments({ organizationId });
    const before = await ctaCount();
    expect(before).toBe(ctas.length);
    expect(await db.collection('website_analyses').countDocuments({ _id: jobId as never, organizationId })).toBe(1);
    const again = await settled(await create(me, site.url('/')), me);
    expect(again.result.organizationId).toBe(organizationId);
    expect(await ctaCount()).toBe(before);
    expect(await db.collection('website_organizations').countDocuments({ _id: organizationId })).toBe(1);
  });

  it('keeps another session’s job out of sight: status, retry and cancel are 404', async () => {
    const jobId = await create(session(), site.url('/about'));
    const stranger = session();
    for (const res of [
      await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set(stranger),
      await conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set(stranger),
      await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(stranger),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error_code).toBe('JOB_NOT_FOUND');
    }
  });

  it('refuses a site that redirects to a link-local address, and one given as such', async () => {
    const me = session();
    const status = await settled(await create(me, site.url('/to-metadata')), me);
    expect(status).toMatchObject({ status: 'failed', conveyorStatus: 'failed', error: expect.stringMatching(/refused/i) });
    const direct = await conveyor.http().post('/api/v1/jobs/website-analysis').set(me).send({ url: 'http://169.254.169.254/latest/' });
    expect(direct.status).toBe(400);
    expect(direct.body.error_code).toBe('TARGET_NOT_ALLOWED');
    const bad = await conveyor.http().post('/api/v1/jobs/website-analysis').set(me).send({ url: 'ftp://example.com' });
    expect(bad.status).toBe(400);
    const json = await settled(await create(me, site.url('/data.json')), me);
    expect(json).toMatchObject({ status: 'failed', error: expect.stringMatching(/not HTML/) });
  });

  it('cancels a running analysis: it reads failed, with the error Cancelled and a cancelled_at', async () => {
    const me = session();
    const gate = new Gate();
    generation.gates.set('audiences', gate);
    try {
      const jobId = await create(me, site.url('/pricing'));
      await waitFor(async () => (await statusOf(jobId, me))?.current_step === 'Generating audiences…', { what: 'the audiences step' });
      const running = await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set(me);
      expect(running.body.data.status).toBe('running');
      expect(running.headers['retry-after']).toBe('2');
      const res = await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(me);
      expect(res.status).toBe(200);
      expect(res.body.data.cancelled).toBe(true);
      const status = await settled(jobId, me);
      expect(status).toMatchObject({ status: 'failed', conveyorStatus: 'cancelled', error: 'Cancelled', error_code: 'CANCELLED' });
      expect(Date.parse(status.cancelled_at)).toBeGreaterThan(0);
      // The job read, the list and the final live event say the same.
      const read = (await conveyor.http().get(`/api/v1/jobs/${jobId}`).set(me)).body.data;
      expect(read).toMatchObject({ status: 'failed', conveyorStatus: 'cancelled', error: { message: 'Cancelled', code: 'CANCELLED' } });
      const listed = (await conveyor.http().get('/api/v1/jobs').set(me)).body.data.items;
      expect(listed).toEqual([expect.objectContaining({ jobId, status: 'failed', error: { message: 'Cancelled', code: 'CANCELLED' } })]);
      const stream = await SseClient.open(api, `/api/v1/jobs/${jobId}/events`, me);
      await stream.end();
      expect(stream.names()).toEqual(['snapshot', 'failed']);
      // Stopped in the audiences step: this analysis never asked for pitches.
      expect(generation.requests('pitches').filter((r) => r.input.analysis.url === site.url('/pricing'))).toEqual([]);
    } finally {
      generation.gates.delete('audiences');
      gate.open();
    }
  });

  it('words webhooks in seed 003’s vocabulary too, a cancelled job included', async () => {
    const receiver = await TargetServer.start();
    const gate = new Gate();
    try {
      const res = await conveyor
        .http()
        .post('/api/v1/jobs')
        .set({ 'x-user-id': 'webhook-user' })
        .send({
          type: 'website_analysis',
          data: { url: site.url('/about') },
          callbackUrl: receiver.url('/hook'),
          callbackEvents: ['completed'],
        });
      expect(res.status).toBe(201);
      const hit = await waitFor(() => receiver.hitsOn('/hook')[0], { what: 'the completed webhook' });
      expect(JSON.parse(hit.body)).toMatchObject({
        event: 'completed',
        jobId: res.body.data.jobId,
        status: 'succeeded',
        conveyorStatus: 'completed',
      });

      generation.gates.set('audiences', gate);
      const held = await conveyor
        .http()
        .post('/api/v1/jobs')
        .set({ 'x-user-id': 'webhook-user' })
        .send({
          type: 'website_analysis',
          data: { url: site.url('/pricing') },
          callbackUrl: receiver.url('/cancelled'),
          callbackEvents: ['cancelled'],
        });
      const heldId: string = held.body.data.jobId;
      await waitFor(async () => (await statusOf(heldId, { 'x-user-id': 'webhook-user' }))?.current_step === 'Generating audiences…', {
        what: 'the audiences step',
      });
      expect((await conveyor.http().post(`/api/v1/jobs/${heldId}/cancel`).set({ 'x-user-id': 'webhook-user' })).status).toBe(200);
      const cancelled = await waitFor(() => receiver.hitsOn('/cancelled')[0], { what: 'the cancelled webhook' });
      expect(JSON.parse(cancelled.body)).toMatchObject({
        event: 'cancelled',
        jobId: heldId,
        status: 'failed',
        conveyorStatus: 'cancelled',
        error: { message: 'Cancelled', code: 'CANCELLED' },
      });
    } finally {
      generation.gates.delete('audiences');
      gate.open();
      await receiver.close();
    }
  });
});

/** The same without a generation service: the analysis still succeeds, and says what it skipped. */
describe('Website analysis without a generation service', () => {
  let conveyor: Conveyor;
  let site: FakeWebsite;

  beforeAll(async () => {
    site = await FakeWebsite.start();
    conveyor = await Conveyor.start({ workers: 1 });
  });

  afterAll(async () => {
    await conveyor?.close();
    await site?.close();
  });

  it('skips audiences, pitches and images with a note, and refuses content generation with 503', async () => {
    const me = { 'x-user-id': 'no-generation-user' };
    const res = await conveyor
      .http()
      .post('/api/v1/jobs/website-analysis')
      .set(me)
      .send({ url: site.url('/') });
    expect(res.status).toBe(201);
    const status = await settledStatus(conveyor, res.body.data.jobId, me);
    expect(status.status).toBe('succeeded');
    expect(status.result.analysis.title).toBe('Spoke & Chain — bicycle repairs');
    expect(status.result.scenarios).toEqual([]);
    expect(status.result.notes).toEqual([expect.stringMatching(/GENERATION_SERVICE_URL/)]);

    const refused = await conveyor.http().post('/api/v1/jobs/content-generation').set(me).send({ topic: 'Winter tyres' });
    expect(refused.status).toBe(503);
    expect(refused.body.error_code).toBe('SERVICE_NOT_CONFIGURED');
    const credits = await conveyor.http().get('/api/v1/credits').set(me);
    expect(credits.body.data).toMatchObject({ balance: 0, reserved: 0, available: 0, recent: [] });
  });
});
