import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DataCipher, SCHEDULER_OWNER } from '@conveyor/contracts';
import { isDuplicateKey } from '@conveyor/database';
import { JobProducer } from '@conveyor/queueing';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { holdsFor, waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'scheduler-admin-token-0123456789';
const USER = 'scheduler-user';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const PREFIX = 'conveyor';

describe('Scheduler API', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start({
      workers: 2,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        SCHEDULER_TICK_MS: '200',
        SCHEDULE_MIN_INTERVAL_MS: '1000',
        THROTTLE_ADMIN_LIMIT: '100000',
      },
    });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const http = () => conveyor.http();
  const ping = (path: string) => ({ type: 'http.request', data: { url: target.url(path), method: 'GET' } });
  const repeating = (body: object) => http().post('/api/v1/scheduler/repeating').set(admin).send(body);
  /** Jobs the scheduler submitted for `path`, oldest first, straight from the records (payloads opened: sealed at rest). */
  const firedJobs = async (path: string) => {
    const cipher = conveyor.app.get(DataCipher);
    const records = await conveyor.app
      .get<Connection>(getConnectionToken())
      .collection('jobs')
      .find({ ownerKey: 'service:scheduler' })
      .sort({ createdAt: 1 })
      .toArray();
    return records.filter((r) => cipher.open<{ url: string }>(r.data, String(r._id)).url === target.url(path));
  };

  describe('POST /delayed', () => {
    it('holds a job back for delayMs, owned by its submitter', async () => {
      const res = await http()
        .post('/api/v1/scheduler/delayed')
        .set('x-user-id', USER)
        .send({ ...ping('/delayed-ms'), delayMs: 700 });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ status: 'delayed', queue: 'http' });
      expect(res.headers.location).toBe(`/api/v1/jobs/${res.body.data.jobId}`);
      const job = await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'completed');
      expect(new Date(job.startedAt).getTime() - new Date(job.createdAt).getTime()).toBeGreaterThanOrEqual(600);
      expect((await http().get(`/api/v1/jobs/${res.body.data.jobId}`).set('x-user-id', 'someone-else')).status).toBe(404);
    });

    it('runs a job at runAt', async () => {
      const runAt = new Date(Date.now() + 1_000).toISOString();
      const res = await http()
        .post('/api/v1/scheduler/delayed')
        .set('x-user-id', USER)
        .send({ ...ping('/delayed-at'), runAt });
      expect(res.status).toBe(201);
      expect(res.body.data.status).toBe('delayed');
      const job = await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'completed');
      expect(new Date(job.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(runAt).getTime() - 50);
    });

    it('wants exactly one of delayMs or runAt, in the future and within 30 days', async () => {
      const cases: Array<[object, string]> = [
        [{}, 'delayMs'],
        [{ delayMs: 1000, runAt: new Date(Date.now() + 60_000).toISOString() }, 'runAt'],
        [{ runAt: new Date(Date.now() - 60_000).toISOString() }, 'runAt'],
        [{ runAt: new Date(Date.now() + 31 * 24 * 3600_000).toISOString() }, 'runAt'],
        [{ runAt: 'tomorrow' }, 'runAt'],
        [{ delayMs: 0 }, 'delayMs'],
      ];
      for (const [when, field] of cases) {
        const res = await http()
          .post('/api/v1/scheduler/delayed')
          .set('x-user-id', USER)
          .send({ ...ping('/never'), ...when });
        expect(res.status).toBe(400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const badPayload = await http()
        .post('/api/v1/scheduler/delayed')
        .set('x-user-id', USER)
        .send({ type: 'http.request', data: { url: 42 }, delayMs: 1000 });
      expect(badPayload.status).toBe(400);
      expect(badPayload.body.errors.map((e: { field: string }) => e.field)).toContain('data.url');
      expect(target.hitsOn('/never')).toHaveLength(0);
    });
  });

  describe('repeating schedules', () => {
    it('are for admins only', async () => {
      expect((await http().get('/api/v1/scheduler/repeating')).status).toBe(401);
      for (const [method, path] of [
        ['get', '/repeating'],
        ['post', '/repeating'],
        ['delete', '/repeating/x'],
        ['post', '/jobs/x/trigger'],
        ['get', '/stats'],
        ['get', '/health'],
        ['get', '/metrics'],
      ] as const) {
        const res = await http()[method](`/api/v1/scheduler${path}`).set('x-user-id', USER).send({});
        expect([path, res.status]).toEqual([path, 403]);
      }
    });

    it('refuse a bad cron, timezone, interval, payload or a taken name, naming the field', async () => {
      const base = { name: 'bad', ...ping('/bad'), cron: '* * * * *' };
      const cases: Array<[object, string]> = [
        [{ cron: 'every minute' }, 'cron'],
        [{ cron: '61 * * * *' }, 'cron'],
        // cron-parser would pad these to every minute and every hour: 5 or 6 fields only.
        [{ cron: '* * * *' }, 'cron'],
        [{ cron: '@hourly' }, 'cron'],
        [{ timezone: 'Mars/Olympus' }, 'timezone'],
        [{ name: 'Not A Slug' }, 'name'],
        [{ data: { url: 'ftp://example.com', method: 'GET' } }, 'data.url'],
      ];
      for (const [change, field] of cases) {
        const res = await repeating({ ...base, ...change });
        expect([field, res.status]).toEqual([field, 400]);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect((await repeating({ ...base, name: 'taken' })).status).toBe(201);
      const dup = await repeating({ ...base, name: 'taken' });
      expect(dup.status).toBe(409);
      expect(dup.body.error_code).toBe('SCHEDULE_EXISTS');
      expect((await http().delete('/api/v1/scheduler/repeating/taken').set(admin)).status).toBe(200);
      expect((await http().delete('/api/v1/scheduler/repeating/taken').set(admin)).body.error_code).toBe('SCHEDULE_NOT_FOUND');
      expect((await http().post('/api/v1/scheduler/jobs/taken/trigger').set(admin)).status).toBe(404);
    });

    it('enforce the minimum interval (SCHEDULE_MIN_INTERVAL_MS)', async () => {
      const strict = await conveyor.extraApi({ SCHEDULE_MIN_INTERVAL_MS: '60000' });
      const fast = await strict
        .http()
        .post('/api/v1/scheduler/repeating')
        .set(admin)
        .send({ name: 'fast', ...ping('/fast'), cron: '*/30 * * * * *' });
      expect(fast.status).toBe(400);
      expect(fast.body.errors).toEqual([expect.objectContaining({ field: 'cron', message: expect.stringContaining('30000 ms apart') })]);
      const ok = await strict
        .http()
        .post('/api/v1/scheduler/repeating')
        .set(admin)
        .send({ name: 'hourly', ...ping('/hourly'), cron: '0 * * * *', timezone: 'Asia/Kolkata' });
      expect(ok.status).toBe(201);
      expect(ok.body.data).toMatchObject({ name: 'hourly', timezone: 'Asia/Kolkata', jobOwner: 'service:scheduler', lastRunAt: null });
      expect(new Date(ok.body.data.nextRunAt).getUTCMinutes()).toBe(30); // :00 in UTC+05:30
      await http().delete('/api/v1/scheduler/repeating/hourly').set(admin);
    });

    it('fire jobs that complete, can be triggered now, report stats, and stop after DELETE', async () => {
      const created = await repeating({ name: 'every-second', ...ping('/tick'), cron: '*/1 * * * * *', description: 'e2e' });
      expect(created.status).toBe(201);

      const [first] = await waitFor(async () => ((await firedJobs('/tick')).length >= 2 ? firedJobs('/tick') : undefined), {
        what: 'two scheduled runs',
      });
      const job = await waitFor(
        async () => {
          const res = await http().get(`/api/v1/jobs/${first._id}`).set(admin);
          return res.body.data?.status === 'completed' ? res.body.data : undefined;
        },
        { what: 'the first scheduled job to complete' },
      );
      expect(job.type).toBe('http.request');
      expect(target.hitsOn('/tick').length).toBeGreaterThan(0);

      const listed = await http().get('/api/v1/scheduler/repeating').set(admin);
      expect(listed.body.data.filter((s: { system: boolean }) => !s.system)).toEqual([
        expect.objectContaining({
          name: 'every-second',
          lastRunAt: expect.any(String),
          lastResult: expect.objectContaining({ outcome: 'submitted' }),
        }),
      ]);

      const stats = await waitFor(
        async () => {
          const res = await http().get('/api/v1/scheduler/stats').set(admin);
          const item = res.body.data.items.find((i: { name: string }) => i.name === 'every-second');
          return item?.lastResult?.jobStatus === 'completed' ? { ...res.body.data, item } : undefined;
        },
        { what: 'stats to show a completed last job' },
      );
      // The system schedules (seeded by the workers) are schedules too.
      expect(stats).toMatchObject({ schedules: 8, fired: expect.any(Number), lastTickAt: expect.any(String) });
      expect(stats.fired).toBeGreaterThanOrEqual(2);
      expect(Date.parse(stats.item.nextRunAt)).toBeGreaterThan(Date.parse(stats.item.lastRunAt));
      const health = await http().get('/api/v1/scheduler/health').set(admin);
      expect(health.body.data).toMatchObject({ status: 'healthy', overdue: [] });
      const metrics = await http().get('/api/v1/scheduler/metrics').set(admin);
      expect(metrics.body.data.schedules).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'every-second', fired: expect.any(Number), refused: 0 })]),
      );
      expect(metrics.body.data.ticks).toBeGreaterThan(0);
      // The same counters on Prometheus' /metrics, per schedule and outcome.
      const prometheus = await http().get('/metrics');
      const runs = /^conveyor_scheduler_runs_total\{schedule="every-second",outcome="submitted"\} (\d+)$/m.exec(prometheus.text);
      expect(Number(runs?.[1])).toBeGreaterThanOrEqual(2);
      expect(Number(/^conveyor_scheduler_ticks_total (\d+)$/m.exec(prometheus.text)?.[1])).toBeGreaterThan(0);

      const triggered = await http().post('/api/v1/scheduler/jobs/every-second/trigger').set(admin);
      expect(triggered.status).toBe(201);
      expect(triggered.body.data).toMatchObject({ schedule: 'every-second', queue: 'http' });
      await waitFor(
        async () => (await http().get(`/api/v1/jobs/${triggered.body.data.jobId}`).set(admin)).body.data?.status === 'completed',
        { what: 'the triggered job to complete' },
      );
      expect((await conveyor.record(triggered.body.data.jobId))?.ownerKey).toBe('service:scheduler');

      expect((await http().delete('/api/v1/scheduler/repeating/every-second').set(admin)).body.data).toEqual({
        name: 'every-second',
        deleted: true,
      });
      // A tick already past its read of the schedules may still fire one run.
      const atDelete = (await firedJobs('/tick')).length;
      expect(await holdsFor(async () => (await firedJobs('/tick')).length <= atDelete + 1, 2_500)).toBe(true);
      const settled = (await firedJobs('/tick')).length;
      expect(await holdsFor(async () => (await firedJobs('/tick')).length === settled, 2_000)).toBe(true);
    });

    it('keep firing, once per run, when Redis loses the lock and run keys (MongoDB is the source of truth)', async () => {
      expect((await repeating({ name: 'survivor', ...ping('/survivor'), cron: '*/1 * * * * *' })).status).toBe(201);
      await waitFor(async () => (await firedJobs('/survivor')).length >= 1, { what: 'the first run' });

      const redis = conveyor.queue('http' as never).client;
      let wiped = 0;
      const wipe = async () => {
        const keys = [`${PREFIX}:conveyor:scheduler:lock`, ...(await redis.keys(`${PREFIX}:conveyor:scheduler:run:*`))];
        wiped += await redis.del(...keys);
      };
      const before = (await firedJobs('/survivor')).length;
      // Wipe the keys repeatedly while the schedule keeps running.
      await waitFor(
        async () => {
          await wipe();
          return (await firedJobs('/survivor')).length >= before + 4;
        },
        { what: 'runs to keep firing while Redis keys are deleted', intervalMs: 100 },
      );
      // The wipe really removed the scheduler's keys (their names are still these).
      expect(wiped).toBeGreaterThan(0);
      // Each job carries the cron run it was fired for. A late tick may fire two runs moments apart
      // (a catch-up), which is fine; two jobs for one run are a run fired twice.
      const runs = (await firedJobs('/survivor')).map((job) => ({
        ...(job.scheduledRun as { schedule: string; runAt: Date }),
        createdAt: job.createdAt as Date,
      }));
      const firedTwice = runs.filter((r) => runs.filter((other) => other.runAt.getTime() === r.runAt.getTime()).length > 1);
      expect(firedTwice).toEqual([]);
      for (const run of runs) {
        expect(run).toMatchObject({ schedule: 'survivor', runAt: expect.any(Date) });
        expect(run.runAt.getUTCMilliseconds()).toBe(0); // a second on the cron, not a submit time
        expect(run.runAt.getTime()).toBeLessThanOrEqual(run.createdAt.getTime()); // never fired early
      }
      await http().delete('/api/v1/scheduler/repeating/survivor').set(admin);
    });
  });

  describe('one job per run', () => {
    it('keeps a second submit of the same run out, however the ticks race (the run fixes its job id)', async () => {
      const producer = conveyor.app.get(JobProducer);
      const run = { schedule: 'raced', runAt: new Date('2030-01-01T00:00:00Z') };
      const outcomes = await Promise.allSettled([1, 2, 3].map(() => producer.submit(SCHEDULER_OWNER, ping('/raced'), run)));
      expect(
        outcomes.map((o) => (o.status === 'fulfilled' ? 'submitted' : isDuplicateKey(o.reason) ? 'duplicate' : o.reason)).sort(),
      ).toEqual(['duplicate', 'duplicate', 'submitted']);
      const [job] = await firedJobs('/raced');
      expect(await firedJobs('/raced')).toHaveLength(1);
      expect(job.scheduledRun).toEqual(run);
      await waitFor(async () => (await conveyor.record(String(job._id)))?.status === 'completed', { what: 'the run’s job to complete' });
      expect(target.hitsOn('/raced')).toHaveLength(1);
    });
  });

  describe('health', () => {
    it('warns, naming the schedule, when a run is overdue because no worker fires it', async () => {
      // A fleet with no worker running: nothing fires schedules.
      const idle = await Conveyor.start({ workers: 0, env: { ADMIN_API_TOKEN: ADMIN_TOKEN, SCHEDULER_TICK_MS: '200' } });
      try {
        const health = () => idle.http().get('/api/v1/scheduler/health').set(admin);
        const created = await idle
          .http()
          .post('/api/v1/scheduler/repeating')
          .set(admin)
          .send({ name: 'late-report', ...ping('/late'), cron: '*/5 * * * *' });
        expect(created.status).toBe(201);
        // Not due yet: no run can be late.
        expect((await health()).body.data.overdue).toEqual([]);

        // Created 20 minutes ago: its runs since then were never fired.
        await idle.app
          .get<Connection>(getConnectionToken())
          .collection('schedules')
          .updateOne({ _id: 'late-report' as never }, { $set: { createdAt: new Date(Date.now() - 20 * 60_000) } });
        const res = await health();
        expect(res.status).toBe(200);
        expect(res.body.data.status).toBe('warning');
        expect(res.body.data.overdue).toEqual([expect.objectContaining({ name: 'late-report', lateMs: expect.any(Number) })]);
        expect(res.body.data.reasons).toEqual(
          expect.arrayContaining([expect.stringMatching(/^schedule late-report is \d+ s past its run at /)]),
        );
      } finally {
        await idle.close();
      }
    });
  });
});
