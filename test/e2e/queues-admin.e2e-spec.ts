import { jobCatalog } from '@conveyor/products';
import { QueueName } from '@conveyor/contracts';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { holdsFor, waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'queues-admin-token-0123456789';
const USER = 'queue-user';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('Queues admin API', () => {
  let conveyor: Conveyor;
  let target: TargetServer;
  const held: Array<() => void> = [];

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start({ workers: 2, env: { ADMIN_API_TOKEN: ADMIN_TOKEN, WORKER_CONFIG_POLL_MS: '300' } });
  });

  afterEach(() => {
    for (const release of held.splice(0)) release();
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  /** Paths under /held/ answer only when the test releases them; others answer at once. */
  const holdHeldPaths = () =>
    target.respond((req, res) => {
      if (req.url?.startsWith('/held/')) held.push(() => res.end('released'));
      else res.end('ok');
    });
  const submit = (path: string, options: object = {}) => conveyor.submitHttpJob(USER, target.url(path), options);
  const call = (method: 'get' | 'post' | 'put', path: string, body?: object) => {
    const req = conveyor.http()[method](`/api/v1/queues${path}`).set(admin);
    return body ? req.send(body) : req;
  };
  const summary = async () => (await call('get', '/http')).body.data;

  it('is for admins only, and names unknown queues', async () => {
    expect((await conveyor.http().get('/api/v1/queues')).status).toBe(401);
    const user = await conveyor.http().get('/api/v1/queues').set('x-user-id', USER);
    expect(user.status).toBe(403);
    expect((await conveyor.http().post('/api/v1/queues/http/pause').set('x-user-id', USER)).status).toBe(403);
    const list = await call('get', '');
    expect(list.status).toBe(200);
    expect(list.body.data.map((q: { name: string }) => q.name)).toEqual([...jobCatalog.queues(), 'maintenance', 'webhooks'].sort());
    expect(list.body.data[0]).toMatchObject({ isPaused: false, isDraining: false, isActive: true, healthStatus: 'healthy' });
    const unknown = await call('get', '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('QUEUE_NOT_FOUND');
  });

  it('pauses pickup on both workers and resumes it', async () => {
    holdHeldPaths();
    expect((await call('post', '/http/pause')).body.data).toEqual({ queue: 'http', action: 'paused' });
    const ids = [await submit('/paused-0'), await submit('/paused-1'), await submit('/paused-2')];
    expect(await holdsFor(() => target.hitsOn('/paused-0').length === 0, 1500)).toBe(true);
    expect(await summary()).toMatchObject({ isPaused: true, isActive: false, healthStatus: 'warning', counts: { paused: 3, active: 0 } });

    await call('post', '/http/resume');
    for (const id of ids) await conveyor.waitForJob(id, USER, (j) => j.status === 'completed');
    // Workers send their outcome counters every moment (OutcomeBuffer), not with each job.
    const rate = await waitFor(async () => (await summary()).processingRatePerMinute, { what: 'the completions in the processing rate' });
    expect(rate).toBeGreaterThan(0);
  });

  it('reports per-hour metrics, live workers and overall totals', async () => {
    target.respond((req, res) => {
      res.statusCode = req.url === '/fails' ? 500 : 200;
      res.end();
    });
    const ok = await submit('/metrics-ok');
    const bad = await submit('/fails', { attempts: 1 });
    await conveyor.waitForJob(ok, USER, (j) => j.status === 'completed');
    await conveyor.waitForJob(bad, USER, (j) => j.status === 'failed');

    await waitFor(
      async () => {
        const [hour] = (await call('get', '/http/metrics?hours=1')).body.data;
        return hour.completed >= 1 && hour.failed >= 1;
      },
      { what: 'the outcomes in this hour’s bucket' },
    );
    const day = (await call('get', '/http/metrics')).body.data;
    expect(day).toHaveLength(24);
    expect(day[23]).toMatchObject({ completed: expect.any(Number), p95ProcessingMs: expect.any(Number), successRate: expect.any(Number) });
    expect((await call('get', '/http/metrics?hours=169')).status).toBe(400);

    expect(await summary()).toMatchObject({ workers: 2, capacity: 20, lastProcessedAt: expect.any(String) });
    const status = await conveyor.http().get('/api/v1/queue/status').set(admin);
    // Two workers × the job-type queues' concurrency.
    const perWorker = jobCatalog.queues().reduce((sum, q) => sum + jobCatalog.policy(q).concurrency, 0);
    expect(status.body.data).toMatchObject({ activeWorkers: 2, maxConcurrentJobs: 2 * perWorker, uptimeSeconds: expect.any(Number) });
    const totals = await conveyor.http().get('/api/v1/queue/metrics?hours=1').set(admin);
    expect(totals.body.data.processed).toBeGreaterThanOrEqual(2);
    expect(totals.body.data.failed).toBeGreaterThanOrEqual(1);
    expect((await conveyor.http().get('/api/v1/queue/status').set('x-user-id', USER)).status).toBe(403);
  });

  it('pages through waiting jobs with one request per page', async () => {
    await call('post', '/http/pause');
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await submit(`/page-${i}`));
      const page2 = await call('get', '/http/jobs?status=waiting&page=2&limit=2');
      expect(page2.status).toBe(200);
      expect(page2.body.data).toMatchObject({ page: 2, limit: 2, total: 5 });
      expect(page2.body.data.items.map((j: { jobId: string }) => j.jobId)).toEqual(ids.slice(2, 4));
      expect((await call('get', '/http/jobs?status=bogus')).status).toBe(400);
      expect((await call('get', '/http/jobs?limit=101')).status).toBe(400);

      const cleaned = await call('post', '/http/clean', { status: 'waiting', limit: 2 });
      expect(cleaned.body.data).toMatchObject({ action: 'cleaned waiting', affected: 2 });
      const cleared = await call('post', '/http/clear');
      expect(cleared.body.data.affected).toBe(3);
      for (const id of ids) expect((await conveyor.record(id))?.status).toBe('cancelled');
    } finally {
      await call('post', '/http/resume');
    }
    expect(target.hitsOn('/page-0')).toHaveLength(0);
  });

  it('clears delayed jobs too, and cleans finished jobs out of Redis while their records stay', async () => {
    const delayed = await submit('/delayed-clear', { delay: 600_000 });
    expect((await call('post', '/http/clear')).body.data.affected).toBeGreaterThanOrEqual(1);
    expect((await conveyor.record(delayed))?.status).toBe('cancelled');

    const done = await submit('/to-clean');
    await conveyor.waitForJob(done, USER, (j) => j.status === 'completed');
    const cleaned = await call('post', '/http/clean', { status: 'completed', olderThan: 0 });
    expect(cleaned.body.data.affected).toBeGreaterThanOrEqual(1);
    expect(await conveyor.queue(QueueName.Http).getJob(done)).toBeNull();
    const job = (await conveyor.http().get(`/api/v1/jobs/${done}`).set('x-user-id', USER)).body.data;
    expect(job).toMatchObject({ status: 'completed', source: 'record' });
    expect((await call('post', '/http/clean', { status: 'active' })).status).toBe(400);
  });

  it('drains: submissions get 503 while the running job finishes', async () => {
    holdHeldPaths();
    const running = await submit('/held/drain');
    await waitFor(() => held.length === 1, { what: 'the job to be running' });
    expect((await call('post', '/http/drain')).body.data.action).toBe('draining');

    const refused = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', USER)
      .send({ type: 'http.request', data: { url: target.url('/refused'), method: 'GET' } });
    expect(refused.status).toBe(503);
    expect(refused.body.error_code).toBe('QUEUE_DRAINING');
    expect((await summary()).isDraining).toBe(true);

    held.splice(0).forEach((release) => release());
    await conveyor.waitForJob(running, USER, (j) => j.status === 'completed');
    await call('post', '/http/resume');
    await submit('/after-drain');
  });

  it('applies a concurrency change on the running workers without a restart', async () => {
    const applied = (concurrency: number) => () =>
      conveyor.workers.every((w) => new RegExp(`Consuming queue http with concurrency ${concurrency}(?!\\d)`).test(w.logs()));
    const saved = await call('put', '/http/config', { concurrency: 1 });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({ queue: 'http', saved: { concurrency: 1 }, effective: { concurrency: 1 } });
    await waitFor(applied(1), { what: 'both workers to run one http job at a time' });

    holdHeldPaths();
    for (let i = 0; i < 4; i++) await submit(`/held/concurrency-${i}`);
    await waitFor(() => held.length === 2, { what: 'one job per worker' });
    expect(await holdsFor(() => held.length === 2, 1000)).toBe(true);

    await call('put', '/http/config', { concurrency: 3 });
    await waitFor(() => held.length === 4, { what: 'the raised concurrency to take the other jobs' });
    expect(conveyor.workers.every((w) => w.running)).toBe(true);
    await call('put', '/http/config', {});
    expect((await call('get', '/http/config')).body.data).toMatchObject({ saved: {}, effective: { concurrency: 10 } });
  });

  it('keeps at most the configured number of finished jobs in Redis; their records stay (RELIABILITY L8)', async () => {
    holdHeldPaths();
    expect((await call('put', '/http/config', { retention: { completed: 3 } })).status).toBe(200);
    try {
      const queue = conveyor.queue(QueueName.Http);
      // Submissions read the saved settings within 2 s: wait until a job carries the new retention.
      await waitFor(
        async () => {
          const jobId = await submit('/retention-probe');
          return (await queue.getJob(jobId))?.opts.removeOnComplete === 3;
        },
        { what: 'submissions to carry the new retention', intervalMs: 300 },
      );
      const jobIds: string[] = [];
      for (let i = 0; i < 8; i++) jobIds.push(await submit(`/retention-${i}`));
      for (const jobId of jobIds) await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
      expect(await queue.getCompletedCount()).toBeLessThanOrEqual(3);
      for (const jobId of jobIds) {
        const res = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', USER);
        expect([jobId, res.body.data.status]).toEqual([jobId, 'completed']);
      }
    } finally {
      expect((await call('put', '/http/config', {})).status).toBe(200);
    }
  });

  it('validates settings against the queue’s caps', async () => {
    for (const [body, field] of [
      [{ concurrency: 0 }, 'concurrency'],
      [{ attempts: 11 }, 'attempts'],
      [{ timeout: 60 * 60 * 1000 }, 'timeout'],
      [{ rateLimit: { max: 0, duration: 1000 } }, 'rateLimit.max'],
      [{ backoff: { type: 'random', delay: 1 } }, 'backoff'],
      [{ paused: true }, 'paused'],
    ] as const) {
      const res = await call('put', '/http/config', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});

describe('Queues admin API: stuck jobs', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    // No stalled check worth the name: a job left by a dead worker stays active until an operator acts.
    conveyor = await Conveyor.start({ workers: 0, env: { ADMIN_API_TOKEN: ADMIN_TOKEN, BULL_STALLED_INTERVAL_MS: '600000' } });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  it('releases an active job whose worker died; its record follows and its failed webhook is sent', async () => {
    const receiver = await TargetServer.start();
    target.respond(() => undefined); // never answers
    const worker = await conveyor.startWorker();
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', USER)
      .send({
        type: 'http.request',
        data: { url: target.url('/hangs'), method: 'GET' },
        options: { attempts: 1 },
        callbackUrl: receiver.url('/hooks/stuck'),
        callbackSecret: 'stuck-job-callback-secret-01',
      });
    const jobId = res.body.data.jobId as string;
    await waitFor(() => target.hitsOn('/hangs').length === 1, { what: 'the job to be running' });
    await worker.kill();
    const queue = conveyor.queue(QueueName.Http);
    // The lock (2 s in tests) expires; nothing else moves the job.
    await waitFor(async () => (await queue.client.exists(`${queue.toKey(jobId)}:lock`)) === 0, { what: 'the lock to expire' });

    const cleared = await conveyor.http().post('/api/v1/queues/http/clear-stuck').set(admin).send({ olderThan: 0, action: 'fail' });
    expect(cleared.body.data).toMatchObject({ affected: 1 });
    expect(await (await queue.getJob(jobId))!.getState()).toBe('failed');
    expect(await conveyor.record(jobId)).toMatchObject({ status: 'failed', error: { code: 'STUCK' } });
    // The failed webhook was enqueued by the settlement; a worker delivers it.
    const deliverer = await conveyor.startWorker();
    try {
      const hook = await waitFor(() => receiver.hitsOn('/hooks/stuck')[0], { what: 'the failed webhook' });
      expect(JSON.parse(hook.body)).toMatchObject({ event: 'failed', jobId, status: 'failed', error: { code: 'STUCK' } });
    } finally {
      await deliverer.kill();
      await receiver.close();
    }
  });
});
