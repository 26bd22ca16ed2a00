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
    conveyor = await Conveyor.start({ workers: 0 }); // WORKER_SHUTDOWN_GRACE_MS is 3000 here
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const submit = (path: string) =>
    conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', USER)
      .send({
        type: 'http.request',
        data: { url: target.url(path), method: 'GET' },
        options: { attempts: 2, backoff: { type: 'fixed', delay: 100 } },
      });

  it('refuses to start on a bad setting, with one line naming the variable', async () => {
    const run = spawnSync(process.execPath, [WORKER_MAIN], { env: { ...conveyor.env, REDIS_URL: 'localhost:6379' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL (got "localhost:6379")');
  });

  it('on SIGTERM finishes the active job, takes no new one, and exits 0 within the grace period', async () => {
    target.respond((req, res) => {
      const ms = req.url === '/one-second' ? 1_000 : 0;
      setTimeout(() => res.end('ok'), ms).unref();
    });
    const worker = await conveyor.startWorker();
    const active = (await submit('/one-second')).body.data.jobId;
    await waitFor(() => target.hitsOn('/one-second').length === 1, { what: 'the slow job to start' });

    const signalledAt = Date.now();
    worker.signal('SIGTERM');
    worker.signal('SIGTERM'); // impatient supervisors repeat themselves; nothing changes
    const later = await Promise.all(['/after-1', '/after-2', '/after-3'].map(async (p) => (await submit(p)).body.data.jobId));

    const exit = await worker.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(3_000 + 1_000);
    expect((await conveyor.record(active))?.status).toBe('completed');
    expect(target.hits.filter((h) => h.path.startsWith('/after-'))).toHaveLength(0);
    for (const id of later) expect((await conveyor.record(id))?.status).toBe('waiting');

    await conveyor.startWorker();
    for (const id of later) await conveyor.waitForJob(id, USER, (j) => j.status === 'completed');
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
