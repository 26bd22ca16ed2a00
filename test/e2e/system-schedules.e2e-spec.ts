import { getConnectionToken } from '@nestjs/mongoose';
import { QueueName } from '@conveyor/contracts';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { holdsFor, waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'system-schedules-admin-token-0123';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const SYSTEM_SCHEDULES = [
  'backup-data',
  'cleanup-expired-jobs',
  'flow-fan-in',
  'health-check-services',
  'reconcile',
  'update-queue-stats',
  'viral-ideas-reruns',
];
const DAY_MS = 24 * 3_600_000;

describe('System schedules', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    target.respond((req, res) => {
      res.statusCode = req.url === '/transcript' ? 503 : 200;
      res.end('ok');
    });
    conveyor = await Conveyor.start({
      workers: 0,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_ADMIN_LIMIT: '100000',
        JOB_RECORD_RETENTION_DAYS: '30',
        // The periodic sweep stays out of the way: only a triggered run can fix the record below.
        RECONCILE_INTERVAL_MS: '600000',
        PROFILE_SERVICE_URL: target.url('/profile'),
        TRANSCRIPT_SERVICE_URL: target.url('/transcript'),
      },
    });
    // Several workers starting at once all seed the same schedules.
    await Promise.all([conveyor.startWorker(), conveyor.startWorker(), conveyor.startWorker()]);
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const http = () => conveyor.http();
  const db = () => conveyor.app.get<Connection>(getConnectionToken());
  const systemSchedules = async () =>
    ((await http().get('/api/v1/scheduler/repeating').set(admin)).body.data as any[]).filter((s) => s.system);

  /** Triggers a system schedule and waits for its maintenance job to complete; its result. */
  async function runNow(name: string): Promise<any> {
    const res = await http().post(`/api/v1/scheduler/jobs/${name}/trigger`).set(admin);
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ schedule: name, queue: QueueName.Maintenance, status: 'waiting' });
    const queue = conveyor.queue(QueueName.Maintenance);
    return waitFor(
      async () => {
        const job = await queue.getJob(res.body.data.jobId);
        if (job && (await job.getState()) === 'failed') throw new Error(`${name} failed: ${job.failedReason}`);
        return job && (await job.isCompleted()) ? job.returnvalue : undefined;
      },
      { what: `the ${name} run to complete` },
    );
  }

  it('are seeded once by workers starting together, listed as system, and not deletable', async () => {
    const listed = await systemSchedules();
    expect(listed.map((s) => s.name)).toEqual(SYSTEM_SCHEDULES);
    for (const schedule of listed) {
      expect(schedule).toMatchObject({ system: true, type: schedule.name, jobOwner: null, nextRunAt: expect.any(String) });
    }
    expect(await db().collection('schedules').countDocuments()).toBe(SYSTEM_SCHEDULES.length);

    const refused = await http().delete('/api/v1/scheduler/repeating/cleanup-expired-jobs').set(admin);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ success: false, error_code: 'SCHEDULE_IS_SYSTEM' });
    expect((await systemSchedules()).map((s) => s.name)).toEqual(SYSTEM_SCHEDULES);

    // A worker restarting seeds again without duplicating or resetting them.
    await runNow('cleanup-expired-jobs');
    const before = await db().collection('schedules').find().sort({ _id: 1 }).toArray();
    const beforeCleanup = before.find((s) => s._id === ('cleanup-expired-jobs' as never))!;
    expect(beforeCleanup.lastResult).toMatchObject({ trigger: 'manual', outcome: 'submitted' });
    const restarted = await conveyor.startWorker();
    expect(await db().collection('schedules').countDocuments()).toBe(SYSTEM_SCHEDULES.length);
    const after = await db().collection('schedules').find().sort({ _id: 1 }).toArray();
    expect(after.map((s) => [s._id, s.createdAt])).toEqual(before.map((s) => [s._id, s.createdAt]));
    expect(after.find((s) => s._id === ('cleanup-expired-jobs' as never))!.lastResult).toEqual(beforeCleanup.lastResult);
    for (const worker of [...conveyor.workers, restarted]) expect(worker.logs()).not.toContain('System schedules not seeded');
  });

  it('cleanup-expired-jobs deletes finished records past the retention, with their webhook attempts, and nothing else', async () => {
    const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
    const record = (status: string, updatedAt: Date) => ({
      _id: randomUUID(),
      ownerKey: 'user:retention',
      type: 'http.request',
      queue: 'http',
      status,
      createdAt: updatedAt,
      updatedAt,
    });
    const oldCompleted = record('completed', ago(40));
    const oldDeadLetter = record('failed', ago(31));
    const oldCancelled = record('cancelled', ago(45));
    const youngDeadLetter = record('failed', ago(29));
    const oldActive = record('active', ago(40));
    const oldWaiting = record('waiting', ago(60));
    await db()
      .collection('jobs')
      .insertMany([oldCompleted, oldDeadLetter, oldCancelled, youngDeadLetter, oldActive, oldWaiting] as never[]);
    // Each attempt is as old as its job's last write; attempts expire by their own age.
    const attempt = (job: { _id: string; updatedAt: Date }) => ({
      _id: randomUUID(),
      jobId: job._id,
      deliveryId: randomUUID(),
      event: 'completed',
      attempt: 1,
      at: job.updatedAt,
    });
    await db()
      .collection('webhook_deliveries')
      .insertMany([attempt(oldCompleted), attempt(oldCompleted), attempt(youngDeadLetter)] as never[]);

    const result = await runNow('cleanup-expired-jobs');
    expect(result).toMatchObject({ deletedRecords: 3, deletedWebhookAttempts: 2, more: false });
    const left = await db().collection('jobs').find({ ownerKey: 'user:retention' }).toArray();
    expect(left.map((r) => r._id).sort()).toEqual([youngDeadLetter._id, oldActive._id, oldWaiting._id].sort());
    const attemptsLeft = await db().collection('webhook_deliveries').find({}).toArray();
    expect(attemptsLeft.map((a) => a.jobId)).toEqual([youngDeadLetter._id]);
    await db().collection('jobs').deleteMany({ ownerKey: 'user:retention' });
  });

  it('reconcile runs the reconciliation sweep when triggered', async () => {
    const stale = new Date(Date.now() - 10 * 60_000);
    const jobId = randomUUID();
    await db()
      .collection('jobs')
      .insertOne({
        _id: jobId,
        ownerKey: 'user:reconcile',
        type: 'http.request',
        queue: 'http',
        status: 'waiting',
        seq: 0,
        run: 1,
        attemptsMade: 0,
        createdAt: stale,
        updatedAt: stale,
      } as never);
    const report = await runNow('reconcile');
    expect(report).toMatchObject({ fixed: { 'missing-from-queue': 1 } });
    expect(await conveyor.record(jobId)).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({ code: 'MISSING_FROM_QUEUE' }),
    });
    // Triggered again at once: a second run, not refused by the finished sweep's cool-down.
    expect(await runNow('reconcile')).toMatchObject({ examined: expect.any(Number) });
  });

  it('update-queue-stats snapshots every queue into the history API', async () => {
    await conveyor.queue(QueueName.Http).pause();
    await conveyor.submitHttpJob('stats-user', target.url('/queued'));
    await conveyor.submitHttpJob('stats-user', target.url('/queued'));
    const result = await runNow('update-queue-stats');
    expect(result.queues).toEqual(expect.arrayContaining([QueueName.Http, QueueName.Maintenance, QueueName.Webhooks]));
    const history = await http().get('/api/v1/queues/http/history?hours=1').set(admin);
    expect(history.status).toBe(200);
    expect(history.body.data.at(-1)).toMatchObject({
      counts: { waiting: 2, active: 0 },
      workers: 4,
      capacity: expect.any(Number),
      lastHour: { completed: expect.any(Number), failed: expect.any(Number) },
    });
    await conveyor.queue(QueueName.Http).resume();
  });

  it('health-check-services records each service in /health/detailed; an unset one is not_configured', async () => {
    const services = async () => (await http().get('/health/detailed').set(admin)).body.data;
    const before = await services();
    const byName = (report: any) => Object.fromEntries(report.services.map((s: any) => [s.name, s]));
    // Unless the every-minute cron already fired it, nothing is known yet.
    expect(byName(before).analysis).toEqual({ name: 'analysis', status: 'not_configured' });

    const startedAt = Date.now();
    const probes = await runNow('health-check-services');
    // Only configured services are probed.
    expect(Object.keys(probes).sort()).toEqual(['profile', 'transcript']);
    expect(probes.transcript).toMatchObject({ status: 'down', statusCode: 503 });
    const report = await services();
    expect(Date.parse(byName(report).profile.checkedAt)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(byName(report)).toEqual({
      analysis: { name: 'analysis', status: 'not_configured' },
      generation: { name: 'generation', status: 'not_configured' },
      objectStorage: { name: 'objectStorage', status: 'not_configured' },
      places: { name: 'places', status: 'not_configured' },
      profile: expect.objectContaining({ status: 'up', statusCode: 200, latencyMs: expect.any(Number), checkedAt: expect.any(String) }),
      transcript: expect.objectContaining({ status: 'down', statusCode: 503, error: 'answered 503' }),
    });
    expect(report.reasons).toEqual(expect.arrayContaining([expect.stringContaining('service transcript is down')]));
    expect(report.reasons.join(' ')).not.toContain('analysis');
    expect(target.hitsOn('/profile').length).toBeGreaterThan(0);
  });

  it('run with the attempts, backoff and retention saved for the maintenance queue', async () => {
    const config = (body: object) => http().put(`/api/v1/queues/${QueueName.Maintenance}/config`).set(admin).send(body);
    expect((await config({ attempts: 1, backoff: { type: 'fixed', delay: 1000 }, retention: { completed: 7, failed: 9 } })).status).toBe(
      200,
    );
    try {
      const res = await http().post('/api/v1/scheduler/jobs/update-queue-stats/trigger').set(admin);
      const job = await conveyor.queue(QueueName.Maintenance).getJob(res.body.data.jobId);
      expect(job?.opts).toMatchObject({
        attempts: 1,
        backoff: { options: { type: 'fixed', delayMs: 1000 } },
        removeOnComplete: 7,
        removeOnFail: 9,
      });
    } finally {
      expect((await config({})).status).toBe(200);
    }
  });

  it('show the last run’s status from Bull in the scheduler stats', async () => {
    const stats = await waitFor(
      async () => {
        const res = await http().get('/api/v1/scheduler/stats').set(admin);
        const item = res.body.data.items.find((i: any) => i.name === 'health-check-services');
        return item?.lastResult?.jobStatus === 'completed' ? item : undefined;
      },
      { what: 'stats to show the completed maintenance job' },
    );
    expect(stats.lastResult).toMatchObject({ trigger: expect.any(String), outcome: 'submitted' });
    expect(await holdsFor(async () => (await db().collection('schedules').countDocuments()) === SYSTEM_SCHEDULES.length, 500)).toBe(true);
  });
});
