import { JobStatus, QueueName } from '@conveyor/contracts';
import { JobRecord } from '@conveyor/database';
import { conveyorKeys } from '@conveyor/queueing';
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { Conveyor } from '../support/conveyor';
import { ProbeOracle } from '../support/probe-oracle';
import { waitFor } from '../support/wait-for';

const USER = 'data-loss-user';
const ADMIN_TOKEN = 'redis-data-loss-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const SCHEDULES = ['s1', 's2', 's3', 's4', 's5'];

/**
 * RELIABILITY F8: Redis loses everything (FLUSHALL) while 100 jobs wait, 5 are delayed and 5
 * repeating schedules exist. The sweep notices the lost generation key and enqueues every waiting
 * and delayed record again from MongoDB; schedules keep firing from MongoDB. Every job commits once.
 */
describe('F8 Redis data loss', () => {
  let conveyor: Conveyor;
  let oracle: ProbeOracle;

  beforeAll(async () => {
    conveyor = await Conveyor.start({
      probe: true,
      workers: 1,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        RECONCILE_INTERVAL_MS: '500',
        RECONCILE_GRACE_MS: '1000',
        SCHEDULER_TICK_MS: '200',
        SCHEDULE_MIN_INTERVAL_MS: '1000',
        THROTTLE_SUBMIT_LIMIT: '100000',
        THROTTLE_ADMIN_LIMIT: '100000',
        THROTTLE_READ_LIMIT: '100000',
      },
    });
    oracle = new ProbeOracle(conveyor.app.get<Connection>(getConnectionToken()));
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  it('re-enqueues every waiting and delayed job from its record, keeps the schedules firing, and runs each job once', async () => {
    const queue = conveyor.queue(QueueName.Http);
    const redis = queue.client;
    // The driver's own collection: filters with operators, past the models' sanitizeFilter.
    const records = conveyor.app.get<Model<JobRecord>>(getModelToken(JobRecord.name)).collection;
    await waitFor(() => redis.get(conveyorKeys('conveyor').epoch), { what: 'the first sweep to record the Redis generation' });

    await queue.pause(); // every worker: the jobs below wait
    const submit = async (options: object = {}) => {
      const res = await conveyor
        .http()
        .post('/api/v1/jobs')
        .set('x-user-id', USER)
        .send({ type: 'test.probe', data: { steps: 1 }, options });
      expect(res.status).toBe(201);
      return res.body.data.jobId as string;
    };
    for (let i = 0; i < 100; i++) await submit();
    for (let i = 0; i < 5; i++) await submit({ delay: 2_000 });
    for (const name of SCHEDULES) {
      const res = await conveyor
        .http()
        .post('/api/v1/scheduler/repeating')
        .set(admin)
        .send({ name, type: 'test.probe', data: { steps: 1 }, cron: '*/1 * * * * *' });
      expect(res.status).toBe(201);
    }
    await waitFor(async () => (await records.countDocuments({ ownerKey: 'service:scheduler' })) >= SCHEDULES.length, {
      what: 'the schedules to fire',
    });

    await redis.flushall();
    const flushedAt = new Date();

    // Everything recorded before the loss completes (the pause lived in Redis too, so work flows).
    await waitFor(
      async () => {
        const open = await records.find({ createdAt: { $lt: flushedAt }, status: { $ne: JobStatus.Completed } }).toArray();
        if (open.length === 0) return true;
        throw new Error(`not completed: ${JSON.stringify(countBy(open.map((r) => `${r.status}/${r.error?.code ?? ''}`)))}`);
      },
      { what: 'every job recorded before the loss to complete', timeoutMs: 60_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nthe worker's sweep said:\n${sweepLines(conveyor)}`);
    });
    // The schedules, kept in MongoDB, fire again after the loss.
    await waitFor(
      async () => {
        const listed = await conveyor.http().get('/api/v1/scheduler/repeating').set(admin);
        const mine = listed.body.data.filter((s: { name: string }) => SCHEDULES.includes(s.name));
        return mine.length === SCHEDULES.length && mine.every((s: { lastRunAt: string }) => new Date(s.lastRunAt) > flushedAt);
      },
      { what: 'every schedule to fire after the loss' },
    );
    const stats = await redis.hgetall(conveyorKeys('conveyor').reconcile('stats'));
    expect(Number(stats['fixed:restored'])).toBeGreaterThanOrEqual(105);

    // Stop the schedules, let their last jobs finish: then every record is an acknowledged job.
    for (const name of SCHEDULES) await conveyor.http().delete(`/api/v1/scheduler/repeating/${name}`).set(admin);
    await waitFor(async () => (await records.countDocuments({ status: { $ne: JobStatus.Completed } })) === 0, {
      what: 'every job to complete',
      timeoutMs: 30_000,
    });
    const acknowledged = (await records.find({}, { projection: { _id: 1 } }).toArray()).map((r) => String(r._id));
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  }, 150_000);
});

/** The worker's last reconcile and Redis-generation log lines, for a failure message. */
function sweepLines(conveyor: Conveyor): string {
  const lines = conveyor.workers[0].logs().split('\n');
  return lines
    .filter((line) => /Reconcile|RedisEpoch|rror/.test(line))
    .slice(-15)
    .join('\n');
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
