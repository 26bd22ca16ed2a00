import { randomUUID } from 'node:crypto';
import { JobStatus, QueueName } from '@conveyor/contracts';
import { JobRecord } from '@conveyor/database';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type request from 'supertest';
import { Conveyor } from '../support/conveyor';
import { Loss, ReplyLosingProxy } from '../support/reply-losing-proxy';
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
describe('A submit whose add went unanswered', () => {
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

  /** Submits through an API whose Redis connections pass through the proxy, losing `loss` of its add. */
  async function submitLosing(loss: Loss, path: string): Promise<request.Response> {
    const api = await conveyor.extraApi({ REDIS_URL: proxy.url });
    // The request id travels in the Bull job, so the proxy knows the add.
    const requestId = `lose-${randomUUID()}`;
    const lost = proxy.lose(loss, requestId, DOWN_MS);
    const res = await api
      .http()
      .post('/api/v1/jobs')
      .set({ 'x-user-id': USER, 'x-request-id': requestId })
      .send({ type: 'http.request', data: { url: target.url(path), method: 'GET' } });
    await lost;
    return res;
  }

  it('is acknowledged when the add ran: the job is in Bull, runs once and has its record', async () => {
    const res = await submitLosing('reply', '/reply-lost');

    expect(res.status).toBe(201);
    const jobId = res.body.data.jobId as string;
    const done = await conveyor.waitForJob(jobId, USER, (j) => j.status === JobStatus.Completed, 15_000);
    expect(done.attemptsMade).toBe(1);
    expect(target.hitsOn('/reply-lost')).toHaveLength(1);
  }, 60_000);

  it('is refused when the add never ran: 503, no record, and nothing runs', async () => {
    const res = await submitLosing('request', '/request-lost');

    expect([res.status, res.body.error_code]).toEqual([503, 'QUEUE_UNAVAILABLE']);
    const records = await conveyor.app
      .get<Model<JobRecord>>(getModelToken(JobRecord.name))
      .find({ ownerKey: `user:${USER}` })
      .lean()
      .exec();
    // Only the first test's job has a record; a job for /request-lost would be in Bull by now if any.
    expect(records).toHaveLength(1);
    expect(await conveyor.queue(QueueName.Http).getJobCounts()).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    expect(target.hitsOn('/request-lost')).toHaveLength(0);
  }, 60_000);
});
