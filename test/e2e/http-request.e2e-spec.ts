import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'alice';

describe('http.request jobs (API → MongoDB → Bull → worker process → record)', () => {
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

  const submit = (body: object) => conveyor.http().post('/api/v1/jobs').set('x-user-id', USER).send(body);

  it('calls the target and records status, duration and a bounded excerpt of the response', async () => {
    target.respond((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end('x'.repeat(5000));
    });

    const res = await submit({
      type: 'http.request',
      data: { url: target.url('/ok'), method: 'POST', headers: { 'x-token': 'abc' }, body: { hello: 'world' } },
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: {
        jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        queue: 'http',
        type: 'http.request',
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        status: 'waiting',
        queuePosition: expect.any(Number),
        estimatedWaitSeconds: expect.any(Number),
      },
    });
    const job = await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'completed');

    expect(job.result).toEqual({
      statusCode: 200,
      durationMs: expect.any(Number),
      contentType: 'text/plain',
      responseBytes: 5000,
      responseExcerpt: 'x'.repeat(2048),
      truncated: true,
    });
    expect(job.progress).toEqual({ percent: 100, step: null });
    expect(job.attemptsMade).toBe(1);
    expect(job.startedAt).not.toBeNull();
    expect(job.finishedAt).not.toBeNull();
    const [hit] = target.hitsOn('/ok');
    expect(hit.method).toBe('POST');
    expect(hit.headers['x-token']).toBe('abc');
    expect(hit.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hit.body)).toEqual({ hello: 'world' });
  });

  it('calls an IPv4-mapped IPv6 target the submit check allowed (submit and connect give one verdict)', async () => {
    target.respond((_req, res) => res.end('mapped'));
    // The suite allows loopback, so [::ffff:127.0.0.1] is 127.0.0.1 to both checks.
    const url = target.url('/mapped').replace('127.0.0.1', '[::ffff:127.0.0.1]');
    const res = await submit({ type: 'http.request', data: { url, method: 'GET' }, options: { attempts: 1 } });
    expect(res.status).toBe(201);
    const job = await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'completed' || j.status === 'failed');
    expect(job).toMatchObject({ status: 'completed', result: { statusCode: 200, responseExcerpt: 'mapped' } });
    expect(target.hitsOn('/mapped')).toHaveLength(1);
  });

  it('retries a failing target per the backoff and ends failed with every attempt counted', async () => {
    target.respond((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });

    const res = await submit({
      type: 'http.request',
      data: { url: target.url('/flaky'), method: 'GET' },
      options: { attempts: 3, backoff: { type: 'list', delays: [300, 600] } },
    });
    expect(res.status).toBe(201);
    const job = await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'failed');

    expect(job.attemptsMade).toBe(3);
    expect(job.maxAttempts).toBe(3);
    expect(job.error).toEqual({ message: 'Expected status 2xx, got 500', code: 'UNEXPECTED_STATUS' });
    const hits = target.hitsOn('/flaky');
    expect(hits).toHaveLength(3);
    // The listed delays separate the attempts (Bull's delay timer can only add to them).
    expect(hits[1].at - hits[0].at).toBeGreaterThanOrEqual(280);
    expect(hits[2].at - hits[1].at).toBeGreaterThanOrEqual(580);
  });

  it('succeeds on a later attempt after earlier ones fail', async () => {
    target.respond((_req, res, _hit, n) => {
      res.statusCode = n < 2 ? 503 : 204;
      res.end();
    });
    const res = await submit({
      type: 'http.request',
      data: { url: target.url('/second-time'), method: 'GET' },
      options: { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
    });
    const job = await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'completed');
    expect(job.attemptsMade).toBe(2);
    expect(job.result.statusCode).toBe(204);
    expect(job.error).toBeNull();
  });

  it('honours expectStatus and does not follow redirects', async () => {
    target.respond((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: target.url('/redirect-target') });
        res.end();
      } else {
        res.end('should never be reached');
      }
    });

    const followed = await submit({ type: 'http.request', data: { url: target.url('/moved'), method: 'GET' }, options: { attempts: 1 } });
    const expected = await submit({ type: 'http.request', data: { url: target.url('/moved'), method: 'GET', expectStatus: 302 } });

    const failed = await conveyor.waitForJob(followed.body.data.jobId, USER, (j) => j.status === 'failed');
    expect(failed.error.code).toBe('UNEXPECTED_STATUS');
    const completed = await conveyor.waitForJob(expected.body.data.jobId, USER, (j) => j.status === 'completed');
    expect(completed.result.statusCode).toBe(302);
    expect(target.hitsOn('/redirect-target')).toHaveLength(0);
  });

  it('shows the running step and its progress, live and in the record', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    target.respond((_req, res) => void released.then(() => res.end('finally')));
    const res = await submit({ type: 'http.request', data: { url: target.url('/held'), method: 'GET' } });
    const jobId = res.body.data.jobId;

    // check-target (5) is done and send-request (80) has begun: 5 %.
    const running = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'active' && j.progress.step === 'send-request');
    expect(running).toMatchObject({ progress: { percent: 5, step: 'send-request' }, source: 'queue' });
    await waitFor(async () => (await conveyor.record(jobId))?.progress?.step === 'send-request', {
      what: 'the record to show the running step',
    });
    expect(await conveyor.record(jobId)).toMatchObject({ status: 'active', progress: { percent: 5, step: 'send-request' } });

    release();
    const done = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
    expect(done.progress).toEqual({ percent: 100, step: null });
  });

  it('fails an attempt that runs past its timeout', async () => {
    target.respond((_req, res) => {
      setTimeout(() => res.end('late'), 3_000).unref();
    });
    const res = await submit({
      type: 'http.request',
      data: { url: target.url('/slow'), method: 'GET' },
      options: { attempts: 1, timeout: 300 },
    });
    const job = await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'failed');
    expect(job.error).toEqual({ message: 'Attempt timed out after 300 ms', code: 'JobTimeoutError' });
    expect(job.attemptsMade).toBe(1);
  });

  it('reads live state from Bull while the job is queued, and from MongoDB after Bull removed it', async () => {
    target.respond((_req, res) => res.end('done'));
    const queue = conveyor.queue('http' as never);
    await queue.pause();
    const res = await submit({ type: 'http.request', data: { url: target.url('/later'), method: 'GET' } });
    const jobId = res.body.data.jobId;

    const queued = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', USER);
    expect(queued.body.data).toMatchObject({ status: 'waiting', source: 'queue', attemptsMade: 0 });

    await queue.resume();
    await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
    // What Bull's retention (removeOnComplete) eventually does to every finished job.
    await (await queue.getJob(jobId))!.remove();
    expect(await queue.getJob(jobId)).toBeNull();

    const afterRemoval = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', USER);
    expect(afterRemoval.status).toBe(200);
    expect(afterRemoval.body.data).toMatchObject({ status: 'completed', source: 'record', result: { statusCode: 200 } });
  });
});
