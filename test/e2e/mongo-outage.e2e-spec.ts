import { JobStatus, QueueName } from '@conveyor/contracts';
import { Conveyor } from '../support/conveyor';
import { MongoServer } from '../support/mongo-server';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'through-the-db-outage';
const OUTAGE_MS = 5_000;
/** Each job's request takes this long: they are mid-run when the database goes. */
const JOB_MS = 1_500;

/**
 * RELIABILITY F11: the database (a private Mongo-wire server) is SIGKILLed for 5 s while jobs run.
 * The API answers 503, never 500, and leaves no job without a record; the worker's outcomes are
 * written once it is back (or settled by the sweep), and no job runs twice.
 */
describe('MongoDB killed for 5 s while jobs run', () => {
  let mongo: MongoServer;
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    target.respond((_req, res) => void setTimeout(() => res.end('ok'), JOB_MS));
    mongo = await MongoServer.start();
    conveyor = await Conveyor.start({
      workers: 1,
      env: { MONGO_URL: mongo.url('conveyor_outage'), RECONCILE_INTERVAL_MS: '500', RECONCILE_GRACE_MS: '1000' },
    });
  }, 120_000);

  afterAll(async () => {
    await mongo?.restart(); // in case the test stopped it: close() drops the database
    await conveyor?.close();
    await mongo?.destroy();
    await target?.close();
  });

  const submit = (path: string) => conveyor.postHttpJob(USER, target.url(path), { attempts: 3 });

  it('answers 503 during the outage, loses nothing acknowledged, and runs nothing twice', async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await submit(`/running-${i}`);
      expect(res.status).toBe(201);
      acknowledged.push(res.body.data.jobId);
    }
    await waitFor(() => target.hits.length > 0, { what: 'the first job to reach its target' });

    await mongo.stop(); // SIGKILL
    const downSince = Date.now();
    const during = await submit('/during');
    expect([during.status, during.body.error_code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(Number(during.headers['retry-after'])).toBeGreaterThan(0);
    const read = await conveyor.http().get(`/api/v1/jobs/${acknowledged[0]}`).set('x-user-id', USER);
    expect([read.status, read.body.error_code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    // A fixed outage: the fault lasts this long whatever the test does meanwhile.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - downSince))));
    await mongo.restart();

    for (const jobId of acknowledged) {
      const job = await conveyor.waitForJob(jobId, USER, (j) => j.status === JobStatus.Completed, 45_000);
      expect(job.result).toMatchObject({ statusCode: 200 });
    }
    // No orphan: Bull holds exactly the acknowledged jobs (the refused submit left nothing behind).
    const queue = conveyor.queue(QueueName.Http);
    const inBull = await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(inBull.map((j) => String(j.id)).sort()).toEqual([...acknowledged].sort());
    // Finished work was not run again for want of a record write.
    for (let i = 0; i < 3; i++) expect(target.hitsOn(`/running-${i}`)).toHaveLength(1);
    expect(target.hitsOn('/during')).toHaveLength(0);
  });
});
