import { JobStatus, QueueName } from '@conveyor/contracts';
import { JobRecord } from '@conveyor/database';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'through-the-outage';
/** How long Redis stays down: long enough for every connection to notice and start reconnecting. */
const OUTAGE_MS = 3_000;

/**
 * RELIABILITY F7: Redis (append-only, fsync always) is SIGKILLed mid-run and restarted 3 s later.
 * No Conveyor process is restarted; bull#1873 is a worker that never consumes again after that.
 */
describe('Redis killed and restarted (append-only file)', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start({ workers: 1, redisAppendOnly: true });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const submit = (path: string, options: object = {}) => conveyor.postHttpJob(USER, target.url(path), options);

  it('refuses submits fast while Redis is down, then consumes again without a restart; nothing acknowledged is lost', async () => {
    const acknowledged: string[] = [];
    const before = await submit('/before');
    expect(before.status).toBe(201);
    acknowledged.push(before.body.data.jobId);
    await conveyor.waitForJob(before.body.data.jobId, USER, (j) => j.status === JobStatus.Completed);
    // Due while Redis is down: the append-only file must bring it back, and a worker must run it.
    const delayed = await submit('/delayed', { delay: 2_000 });
    expect(delayed.status).toBe(201);
    acknowledged.push(delayed.body.data.jobId);

    await conveyor.redis.stop(); // SIGKILL
    const downSince = Date.now();
    const refusals: Array<{ status: number; code: string; ms: number }> = [];
    while (Date.now() - downSince < OUTAGE_MS) {
      const startedAt = Date.now();
      const res = await submit(`/during-${refusals.length}`);
      refusals.push({ status: res.status, code: res.body.error_code, ms: Date.now() - startedAt });
      if (res.status === 201) acknowledged.push(res.body.data.jobId); // must not happen; and if it does, it must not be lost
      await new Promise((resolve) => setTimeout(resolve, 50)); // a client retrying, not a flood
    }
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ status: 503, code: 'QUEUE_UNAVAILABLE' });
      expect(refusal.ms).toBeLessThan(1_000); // not held in ioredis's offline queue until a reconnect
    }

    await conveyor.redis.restart();
    // The same API and worker processes: a new job runs within 10 s of Redis coming back.
    const after = await waitFor(
      async () => {
        const res = await submit('/after');
        return res.status === 201 ? res : undefined;
      },
      { what: 'the API to submit again', timeoutMs: 10_000, intervalMs: 200 },
    );
    acknowledged.push(after.body.data.jobId);
    await conveyor.waitForJob(after.body.data.jobId, USER, (j) => j.status === JobStatus.Completed, 10_000);
    await conveyor.waitForJob(delayed.body.data.jobId, USER, (j) => j.status === JobStatus.Completed, 10_000);

    // The ledger: every acknowledged job has a completed record and a completed Bull job.
    const records = await conveyor.app
      .get<Model<JobRecord>>(getModelToken(JobRecord.name))
      .find({ ownerKey: `user:${USER}` })
      .lean()
      .exec();
    expect(records.map((r) => r._id).sort()).toEqual([...acknowledged].sort());
    for (const record of records) expect([record._id, record.status]).toEqual([record._id, JobStatus.Completed]);
    const queue = conveyor.queue(QueueName.Http);
    for (const jobId of acknowledged) expect([jobId, await (await queue.getJob(jobId))?.getState()]).toEqual([jobId, 'completed']);
    expect(target.hitsOn('/delayed')).toHaveLength(1);
  });
});
