import { getConnectionToken } from '@nestjs/mongoose';
import { QueueName } from '@conveyor/contracts';
import Redis from 'ioredis';
import type { Connection } from 'mongoose';
import { Conveyor } from '../support/conveyor';

const USER = 'oom-user';

/** RELIABILITY F10: Redis full with `noeviction` refuses writes; the API must say so, never 500. */
describe('Redis out of memory (RELIABILITY F10)', () => {
  let conveyor: Conveyor;
  let admin: Redis;

  beforeAll(async () => {
    // No worker: jobs stay waiting, so every accepted one must have its Bull job.
    conveyor = await Conveyor.start({ workers: 0, env: { THROTTLE_SUBMIT_LIMIT: '10000', THROTTLE_READ_LIMIT: '10000' } });
    admin = new Redis(conveyor.redis.url);
  });

  afterAll(async () => {
    await admin?.config('SET', 'maxmemory', '0').catch(() => undefined);
    admin?.disconnect();
    await conveyor?.close();
  });

  const submit = () =>
    conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', USER)
      .send({ type: 'http.request', data: { url: 'http://127.0.0.1:9/never', method: 'GET' } });

  it('answers 503 QUEUE_UNAVAILABLE while Redis is full, keeps no record without its Bull job, and recovers when the limit rises', async () => {
    expect((await submit()).status).toBe(201);
    // 2 MB of ballast, then a limit below what Redis holds: with noeviction every write is refused
    // (a limit just at the edge would let small writes through as other keys expire).
    const ballast = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 32; i++) await admin.set(`ballast:${i}`, ballast);
    const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    await admin.config('SET', 'maxmemory', String(used - 512 * 1024));
    await expect(admin.set('probe', 'x')).rejects.toThrow(/^OOM/);

    const refused = await Promise.all(Array.from({ length: 5 }, () => submit()));
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.body.error_code).toBe('QUEUE_UNAVAILABLE');
    }

    // Every record that says waiting has its Bull job.
    const records = await conveyor.app
      .get<Connection>(getConnectionToken())
      .collection('jobs')
      .find({ status: 'waiting' }, { projection: { _id: 1 } })
      .toArray();
    expect(records.length).toBeGreaterThanOrEqual(1); // the job accepted before Redis filled up
    const queue = conveyor.queue(QueueName.Http);
    for (const { _id } of records) expect(await queue.getJob(String(_id))).not.toBeNull();

    await admin.config('SET', 'maxmemory', '0');
    expect((await submit()).status).toBe(201);
  });
});
