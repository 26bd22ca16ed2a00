import { spawnSync } from 'node:child_process';
import { Conveyor } from '../support/conveyor';
import { WORKER_MAIN } from '../support/paths';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'ops';

describe('Worker shutdown', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    // WORKER_SHUTDOWN_GRACE_MS is 3000 here.
    conveyor = await Conveyor.start({ workers: 0, env: { WEBHOOK_SIGNING_SECRET: 'lifecycle-webhook-secret-0123456789' } });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const submit = (path: string, callback: object = {}) =>
    conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', USER)
      .send({
        type: 'http.request',
        data: { url: target.url(path), method: 'GET' },
        options: { attempts: 2, backoff: { type: 'fixed', delay: 100 } },
        ...callback,
      });

  it('refuses to start on bad settings, one line each naming the variable and its rule, never its value', async () => {
    const run = spawnSync(process.execPath, [WORKER_MAIN], {
      env: { ...conveyor.env, REDIS_URL: 'localhost:6379', ADMIN_API_TOKEN: 'leaky' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL',
      'Invalid configuration: ADMIN_API_TOKEN must be at least 16 characters',
    ]);
  });

  it.each<[NodeJS.Signals, number]>([
    ['SIGTERM', 1],
    ['SIGTERM', 5],
    ['SIGINT', 1],
  ])('on %s (sent %i times) finishes the active job and its webhook, takes no new one, and exits 0 in time', async (signal, times) => {
    const run = `${signal}-${times}`;
    target.respond((req, res) => {
      const ms = req.url === `/one-second-${run}` ? 1_000 : 0;
      setTimeout(() => res.end('ok'), ms).unref();
    });
    const worker = await conveyor.startWorker();
    const active = (await submit(`/one-second-${run}`, { callbackUrl: target.url(`/hook-${run}`), callbackEvents: ['completed'] })).body
      .data.jobId;
    await waitFor(() => target.hitsOn(`/one-second-${run}`).length === 1, { what: 'the slow job to start' });

    const signalledAt = Date.now();
    // Impatient supervisors repeat themselves; nothing changes.
    for (let i = 0; i < times; i++) worker.signal(signal);
    const later = await Promise.all([1, 2, 3].map(async (i) => (await submit(`/after-${run}-${i}`)).body.data.jobId));

    const exit = await worker.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(3_000 + 1_000);
    const record = await conveyor.record(active);
    expect(record).toMatchObject({ status: 'completed', attemptsMade: 1 }); // once, no stall and re-run
    expect(target.hits.filter((h) => h.path.startsWith(`/after-${run}`))).toHaveLength(0);
    for (const id of later) expect((await conveyor.record(id))?.status).toBe('waiting');
    // The completed webhook was enqueued before the webhooks queue closed (nestjs/bull#2069).
    const deliveries = await conveyor.queue('webhooks' as never).getJobs(['waiting', 'delayed', 'completed', 'active', 'failed']);
    expect(deliveries.filter((d) => d?.data.jobId === active).map((d) => d.data.event)).toEqual(['completed']);

    await conveyor.startWorker();
    for (const id of later) await conveyor.waitForJob(id, USER, (j) => j.status === 'completed');
    await waitFor(() => target.hitsOn(`/hook-${run}`).length === 1, { what: 'the completed webhook to arrive' });
    expect(JSON.parse(target.hitsOn(`/hook-${run}`)[0].body)).toMatchObject({ event: 'completed', jobId: active });
    expect(target.hitsOn(`/one-second-${run}`)).toHaveLength(1);
    await Promise.all(conveyor.workers.splice(0).map((w) => w.kill()));
  });

  it('exits by the grace deadline when a job runs longer, and the job completes once on another worker', async () => {
    target.respond((_req, res, _hit, n) => {
      // The first call hangs past the grace period; the retry after stall recovery answers at once.
      if (n === 1) setTimeout(() => res.end('too late'), 10_000).unref();
      else res.end('ok');
    });
    for (const w of conveyor.workers) await w.kill();
    const slowWorker = await conveyor.startWorker();
    const jobId = (await submit('/ten-seconds')).body.data.jobId;
    await waitFor(() => target.hitsOn('/ten-seconds').length === 1, { what: 'the long job to start' });

    const signalledAt = Date.now();
    slowWorker.signal('SIGTERM');
    const exit = await slowWorker.exited;
    expect(Date.now() - signalledAt).toBeLessThan(3_000 + 1_000);
    expect(exit.code).toBe(1);

    const statuses: string[] = [];
    await conveyor.startWorker();
    const job = await conveyor.waitForJob(jobId, USER, (j) => {
      statuses.push(j.status);
      return j.status === 'completed';
    });
    expect(job.result.statusCode).toBe(200);
    expect(target.hitsOn('/ten-seconds')).toHaveLength(2);
    // Recovered by Bull's stalled check: not a failed attempt, and never shown going backwards.
    expect(job.attemptsMade).toBe(1);
    expect(statuses.filter((s) => s === 'completed').length).toBe(1);
    expect(statuses).not.toContain('failed');
  });
});
