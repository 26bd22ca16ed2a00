import { QueueName } from '@conveyor/contracts';
import { ServerResponse } from 'node:http';
import { JobEventHub } from '../../apps/api/src/jobs/events/job-event-hub';
import { JobEventStreamService } from '../../apps/api/src/jobs/events/job-event-stream.service';
import { Conveyor } from '../support/conveyor';
import { SseClient } from '../support/sse-client';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';
import { listen } from '../support/listen';

const USER = 'watcher';
const MAX_STREAMS = 2;

describe('Job events (Server-Sent Events)', () => {
  let conveyor: Conveyor;
  let target: TargetServer;
  let api: string;
  const held: ServerResponse[] = [];
  const streams: SseClient[] = [];

  beforeAll(async () => {
    target = await TargetServer.start();
    target.respond((req, res) => {
      if (req.url === '/held') held.push(res);
      else if (req.url === '/broken') {
        res.statusCode = 500;
        res.end('broken');
      } else res.end('ok');
    });
    conveyor = await Conveyor.start({ env: { SSE_MAX_STREAMS_PER_CALLER: String(MAX_STREAMS) } });
    api = await listen(conveyor.app);
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    for (const res of held) res.end();
    await conveyor?.close();
    await target?.close();
  });

  const as = (user = USER) => ({ 'x-user-id': user });
  const submit = async (path: string, options: object = {}, user = USER) => {
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(as(user))
      .send({ type: 'http.request', data: { url: target.url(path), method: 'GET' }, options });
    expect(res.status).toBe(201);
    return res.body.data.jobId as string;
  };
  const open = async (jobId: string, headers: Record<string, string> = as(), base = api) => {
    const stream = await SseClient.open(base, `/api/v1/jobs/${jobId}/events`, headers);
    streams.push(stream);
    return stream;
  };
  const queue = () => conveyor.queue(QueueName.Http);
  const ids = (stream: SseClient) => stream.events.map((e) => Number(e.id));

  it('streams a snapshot, the status and progress of each step, then the completed job, and closes', async () => {
    await queue().pause();
    const jobId = await submit('/held');
    const stream = await open(jobId);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.headers['cache-control']).toContain('no-cache');
    const snapshot = await stream.next((e) => e.event === 'snapshot', 'the snapshot');
    expect(snapshot.data).toMatchObject({ jobId, status: 'waiting', progress: { percent: 0, step: null } });

    await queue().resume();
    // The target holds the response, so the job stays at its send-request step until released.
    await stream.next((e) => e.event === 'progress' && e.data.step === 'send-request', 'progress at send-request');
    await waitFor(() => held.length === 1, { what: 'the job to call the target' });
    held[0].end('done');

    await stream.end();
    const names = stream.names();
    expect(names[0]).toBe('snapshot');
    expect(names.filter((n) => ['completed', 'failed', 'cancelled'].includes(n))).toEqual(['completed']);
    expect(names[names.length - 1]).toBe('completed');
    expect(stream.last()?.data).toMatchObject({ jobId, status: 'completed', progress: { percent: 100 }, result: { statusCode: 200 } });
    const active = names.findIndex((n, i) => n === 'status' && stream.events[i].data.status === 'active');
    const sendRequest = stream.events.findIndex((e) => e.event === 'progress' && e.data.step === 'send-request');
    expect(active).toBeGreaterThan(0);
    expect(sendRequest).toBeGreaterThan(active);
    const progress = stream.events.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(progress.every((p) => p.jobId === jobId)).toBe(true);
    expect(progress.map((p) => p.percent)).toEqual([...progress.map((p) => p.percent)].sort((a, b) => a - b));
    // Ids increase strictly along the stream.
    expect(ids(stream)).toEqual([...ids(stream)].sort((a, b) => a - b));
    expect(new Set(ids(stream)).size).toBe(stream.events.length);

    // Reconnecting with Last-Event-ID after the end: a fresh snapshot and the final event, with higher ids.
    const lastSeen = Number(stream.events.find((e) => e.event === 'progress')!.id);
    const again = await open(jobId, { ...as(), 'last-event-id': String(lastSeen) });
    await again.end();
    expect(again.names()).toEqual(['snapshot', 'completed']);
    expect(ids(again)).toEqual([lastSeen + 1, lastSeen + 2]);
    expect(again.last()?.data).toMatchObject({ jobId, status: 'completed', result: { statusCode: 200 } });
    // A reconnect after the final event still gets it, above every id the client saw.
    const finalId = Math.max(...ids(stream));
    const late = await open(jobId, { ...as(), 'last-event-id': String(finalId) });
    await late.end();
    expect(late.names()).toEqual(['snapshot', 'completed']);
    expect(Math.min(...ids(late))).toBeGreaterThan(finalId);
  });

  it('ends with `failed` for a job that fails, and answers an ended job at once', async () => {
    const jobId = await submit('/broken', { attempts: 2, backoff: { type: 'fixed', delay: 100 } });
    const stream = await open(jobId);
    await stream.end();
    expect(stream.names()[0]).toBe('snapshot');
    expect(stream.last()).toMatchObject({ event: 'failed', data: { jobId, status: 'failed', attemptsMade: 2 } });
    expect(stream.last()?.data.error).toMatchObject({ message: expect.any(String) });

    // Without Last-Event-ID an ended job gets its snapshot and final event, ids from 1.
    const after = await open(jobId);
    await after.end();
    expect(after.events.map((e) => [e.id, e.event])).toEqual([
      ['1', 'snapshot'],
      ['2', 'failed'],
    ]);
  });

  it('ends with `cancelled` when the API cancels a waiting job (no Bull event: the poll sees it)', async () => {
    const jobId = await submit('/never-runs', { delay: 60_000 });
    const stream = await open(jobId);
    await stream.next((e) => e.event === 'snapshot', 'the snapshot');
    expect(stream.events[0].data.status).toBe('delayed');
    const res = await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(as());
    expect(res.body.data).toEqual({ cancelled: true, status: 'cancelled' });
    await stream.end();
    expect(stream.names()).toEqual(['snapshot', 'cancelled']);
    expect(stream.last()?.data).toMatchObject({ jobId, status: 'cancelled' });
  });

  it('hides other callers’ jobs with the JSON 404 envelope, before any stream starts', async () => {
    const jobId = await submit('/private', { delay: 60_000 });
    for (const headers of [as('intruder'), { 'x-session-id': 'anonymous-session-0001' }]) {
      const stream = await open(jobId, headers);
      expect(stream.status).toBe(404);
      expect(stream.headers['content-type']).toMatch(/^application\/json/);
      expect(stream.body).toMatchObject({ success: false, error_code: 'JOB_NOT_FOUND' });
    }
    const anonymous = await open(jobId, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error_code).toBe('UNAUTHENTICATED');
    const badId = await open('not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ error_code: 'VALIDATION_FAILED', errors: [{ field: 'jobId' }] });
  });

  it('caps open streams per caller across API replicas (429 with Retry-After) and frees a slot on close', async () => {
    const replica = await conveyor.extraApi({});
    const other = await listen(replica.app);
    const jobId = await submit('/capped', { delay: 60_000 });

    const first = await open(jobId);
    const second = await open(jobId, as(), other);
    expect([first.status, second.status]).toEqual([200, 200]);
    await second.next((e) => e.event === 'snapshot', 'the snapshot on the second replica');

    for (const base of [api, other]) {
      const refused = await open(jobId, as(), base);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(refused.body).toMatchObject({ success: false, error_code: 'RATE_LIMITED' });
    }
    // The cap is per caller: someone else may still open a stream on their own job.
    const theirs = await submit('/capped-neighbour', { delay: 60_000 }, 'neighbour');
    expect((await open(theirs, as('neighbour'))).status).toBe(200);

    first.close();
    const reopened = await waitFor(
      async () => {
        const attempt = await open(jobId);
        return attempt.status === 200 ? attempt : undefined;
      },
      { what: 'the closed stream’s slot to be freed' },
    );
    await reopened.next((e) => e.event === 'snapshot', 'the snapshot on the reopened stream');

    // Closing every client releases everything: streams, fan-out listeners and Redis slots.
    const redis = conveyor.redis.client();
    try {
      expect(await redis.zcard(`conveyor:sse-streams:user:${USER}`)).toBe(MAX_STREAMS);
      for (const stream of streams.splice(0)) stream.close();
      await waitFor(
        async () =>
          [conveyor.app, replica.app].every(
            (app) => app.get(JobEventStreamService).openStreams === 0 && app.get(JobEventHub).watchedJobs === 0,
          ) && (await redis.zcard(`conveyor:sse-streams:user:${USER}`)) === 0,
        { what: 'every stream to be cleaned up' },
      );
    } finally {
      redis.disconnect();
    }
  });
  it('fans out: 200 streams over 20 jobs all end with the job’s completion, and everything is released, 3 rounds running (RELIABILITY L5)', async () => {
    const fan = await conveyor.extraApi({ SSE_MAX_STREAMS_PER_CALLER: '10' });
    const base = await listen(fan.app);
    const callers = Array.from({ length: 20 }, (_, i) => `fan-${i}`);
    for (let round = 1; round <= 3; round++) {
      // Delayed a little, so every stream is open before its job runs.
      const jobs = await Promise.all(callers.map((caller, i) => submit(`/fan-${round}-${i}`, { delay: 1_500 }, caller)));
      const opened = await Promise.all(jobs.flatMap((jobId, i) => Array.from({ length: 10 }, () => open(jobId, as(callers[i]), base))));
      expect(opened.filter((stream) => stream.status !== 200)).toEqual([]);
      await waitFor(() => opened.every((stream) => stream.closed), { what: `round ${round}: all 200 streams to end`, timeoutMs: 30_000 });
      expect(opened.filter((stream) => stream.last()?.event !== 'completed').map((stream) => stream.last())).toEqual([]);
      await waitFor(() => fan.app.get(JobEventStreamService).openStreams === 0 && fan.app.get(JobEventHub).watchedJobs === 0, {
        what: `round ${round}: streams and fan-out listeners back to none`,
      });
      streams.splice(0);
    }
    const redis = conveyor.redis.client();
    try {
      for (const caller of callers) expect([caller, await redis.zcard(`conveyor:sse-streams:user:${caller}`)]).toEqual([caller, 0]);
    } finally {
      redis.disconnect();
    }
  });
});
