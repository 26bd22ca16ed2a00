import { randomUUID } from 'node:crypto';
import { JobStatus } from '@conveyor/contracts';
import { Conveyor } from '../support/conveyor';
import { ReplyLosingProxy } from '../support/reply-losing-proxy';
import { TargetServer } from '../support/target-server';

const USER = 'unanswered';
/** Longer than the producer connection's one retry of a command: ioredis gives the add up. */
const DOWN_MS = 1_500;

/**
 * RELIABILITY F7's sharpest moment: Redis runs a submit's add, then the connection dies before
 * the reply (the server SIGKILLed after its fsync, or the network). The add fails in the API
 * although the job is in Bull. Answering 503 and deleting the record would leave a job the client
 * was told was refused to run anyway; the API must learn what happened and answer for it.
 */
describe('A submit whose add ran but went unanswered', () => {
  let conveyor: Conveyor;
  let target: TargetServer;
  let proxy: ReplyLosingProxy;

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start({ workers: 1 });
    proxy = await ReplyLosingProxy.start(conveyor.redis.port);
  });

  afterAll(async () => {
    await conveyor?.close();
    await proxy?.close();
    await target?.close();
  });

  it('is acknowledged (the job is in Bull), runs once and has its record', async () => {
    // An API whose Redis connections pass through the proxy; the request id travels in the Bull
    // job, so the proxy knows the add.
    const api = await conveyor.extraApi({ REDIS_URL: proxy.url });
    const requestId = `lose-${randomUUID()}`;
    const lost = proxy.loseReplyTo(requestId, DOWN_MS);

    const res = await api
      .http()
      .post('/api/v1/jobs')
      .set({ 'x-user-id': USER, 'x-request-id': requestId })
      .send({ type: 'http.request', data: { url: target.url('/unanswered'), method: 'GET' } });
    await lost;

    expect(res.status).toBe(201);
    const jobId = res.body.data.jobId as string;
    const done = await conveyor.waitForJob(jobId, USER, (j) => j.status === JobStatus.Completed, 15_000);
    expect(done.attemptsMade).toBe(1);
    expect(target.hitsOn('/unanswered')).toHaveLength(1);
  }, 60_000);
});
