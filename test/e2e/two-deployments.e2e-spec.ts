import { ConfigError } from '@conveyor/config';
import { DEPLOYMENT_COLLECTION } from '@conveyor/database';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';

const USER = 'first-deployment-user';

/**
 * RELIABILITY F14: a second deployment (another BULL_PREFIX) pointed at the first one's database
 * refuses to start, naming both prefixes, so its sweep never judges the first one's records against
 * its own empty queues and its workers never run with the first one's queue settings.
 */
describe('F14 two deployments, one database', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start({ workers: 1 });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  it('claims the database for the first prefix; a worker or an API with another prefix refuses to start', async () => {
    const delayed = await conveyor.submitHttpJob(USER, target.url('/later'), { delay: 60_000 });
    const claim = await conveyor.app.get<Connection>(getConnectionToken()).collection(DEPLOYMENT_COLLECTION).findOne({});
    expect(claim).toMatchObject({ _id: 'claim', prefix: 'conveyor' });

    // A worker process: exits 1 with one line naming both prefixes, no stack trace.
    const refused = conveyor.startWorker({ BULL_PREFIX: 'second' });
    await expect(refused).rejects.toThrow(
      /BULL_PREFIX is "second" but this MONGO_URL database belongs to the deployment with BULL_PREFIX "conveyor"/,
    );
    const output = await refused.catch((error: Error) => error.message);
    expect(output).not.toMatch(/\n\s+at /);

    // An API: the same refusal, before it serves anything.
    await expect(conveyor.extraApi({ BULL_PREFIX: 'second' })).rejects.toThrow(ConfigError);

    // The first deployment is untouched: its delayed job is still delayed, the claim still its own.
    expect((await conveyor.record(delayed))?.status).toBe('delayed');
    const after = await conveyor.app.get<Connection>(getConnectionToken()).collection(DEPLOYMENT_COLLECTION).find().toArray();
    expect(after).toEqual([expect.objectContaining({ prefix: 'conveyor' })]);
  });

  it('lets replicas with the same prefix start, and another deployment run beside it on a database of its own', async () => {
    await conveyor.startWorker();
    const other = await conveyor.startWorker(conveyor.otherDeployment('second'));
    expect(other.running).toBe(true);
    const jobId = await conveyor.submitHttpJob(USER, target.url('/now'));
    await conveyor.waitForJob(jobId, USER, (job) => job.status === 'completed');
  });
});
