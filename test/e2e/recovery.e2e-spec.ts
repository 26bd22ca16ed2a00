import { JobStatus, QueueName } from '@conveyor/contracts';
import { JobRecord } from '@conveyor/database';
import { JobControl } from '@conveyor/queueing';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'recoverer';
const ADMIN_TOKEN = 'recovery-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** RECONCILE_GRACE_MS here: records written more recently are never touched by the sweep. */
const GRACE_MS = 3_000;

/** Where each status sits in a run's transition order; a record must never move to a lower rank. */
const RANK: Record<JobStatus, number> = {
  [JobStatus.Waiting]: 0,
  [JobStatus.Delayed]: 0,
  [JobStatus.Active]: 1,
  [JobStatus.Completed]: 2,
  [JobStatus.Failed]: 2,
  [JobStatus.Cancelled]: 2,
};

/**
 * Recovery from dead workers and lost state (README "Reconciliation"): Bull's stalled check hands a
 * SIGKILLed worker's job to another worker, and the worker's reconciliation sweep (every 500 ms
 * here) repairs records that disagree with Bull.
 */
describe('Recovery', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start({
      workers: 0,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_ADMIN_LIMIT: '1000',
        RECONCILE_INTERVAL_MS: '500',
        RECONCILE_GRACE_MS: String(GRACE_MS),
      },
    });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const submit = (path: string, options: object = {}) => conveyor.submitHttpJob(USER, target.url(path), options);
  const queue = () => conveyor.queue(QueueName.Http);
  const stopAllWorkers = async () => {
    for (const worker of conveyor.workers) await worker.kill();
  };
  const recordWhen = (jobId: string, accept: (r: JobRecord) => boolean, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const record = await conveyor.record(jobId);
        return record && accept(record) ? record : undefined;
      },
      { what: `the record of ${jobId}`, timeoutMs },
    );

  /** Reads the record over and over until stopped: every (status, seq) it ever showed. */
  function watchRecord(jobId: string) {
    const seen: Array<{ status: JobStatus; seq: number }> = [];
    let stopped = false;
    const read = async () => {
      const record = await conveyor.record(jobId);
      if (record) seen.push({ status: record.status, seq: record.seq });
    };
    const done = (async () => {
      while (!stopped) {
        await read();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await read(); // the state it was stopped at
    })();
    return {
      seen,
      stop: async () => {
        stopped = true;
        await done;
      },
    };
  }

  describe('a worker killed with SIGKILL', () => {
    afterEach(stopAllWorkers);

    it('loses no job: its active multi-step job completes on another worker, and the record never goes backwards', async () => {
      target.respond((req, res, _hit, n) => {
        // The first call is never answered, so the job stays active (in its send-request step) on worker A.
        if (req.url === '/held-by-a' && n === 1) return;
        res.end('ok');
      });
      const workerA = await conveyor.startWorker();
      const jobId = await submit('/held-by-a', { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
      const watch = watchRecord(jobId);
      await waitFor(() => target.hitsOn('/held-by-a').length === 1, { what: 'worker A to call the target' });
      await conveyor.waitForJob(jobId, USER, (j) => j.status === 'active' && j.progress.step === 'send-request');
      await conveyor.startWorker(); // worker B: its stalled check hands it the job

      expect(await workerA.kill()).toEqual({ code: null, signal: 'SIGKILL' });
      // Lock 2 s + stalled check 1 s: worker B's stalled checker moves the job back, and B runs it.
      const job = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed', 30_000);
      await recordWhen(jobId, (r) => r.status === JobStatus.Completed);
      await watch.stop();

      expect(job).toMatchObject({ attemptsMade: 1, run: 1, error: null, result: { statusCode: 200 } });
      expect(target.hitsOn('/held-by-a')).toHaveLength(2);
      const statuses = watch.seen.map((s) => s.status);
      expect(statuses).toContain(JobStatus.Active);
      expect(statuses.at(-1)).toBe(JobStatus.Completed);
      for (let i = 1; i < watch.seen.length; i++) {
        expect(RANK[watch.seen[i].status]).toBeGreaterThanOrEqual(RANK[watch.seen[i - 1].status]);
        expect(watch.seen[i].seq).toBeGreaterThanOrEqual(watch.seen[i - 1].seq);
      }
      // Bull recovered it; the sweep had nothing to fix (under load it may log that it saw the job
      // unlocked and left it to Bull's stalled checker, which is not a fix).
      for (const worker of conveyor.workers) expect(worker.logs()).not.toMatch(new RegExp(`Reconcile: job ${jobId} \\(http, run \\d+\\)`));
    });

    it('past the stall limit Bull fails the job itself; the sweep records it failed (STALLED), a dead letter that can be requeued', async () => {
      target.respond((req, res, _hit, n) => {
        if (req.url === '/stalls' && n === 1) return; // held until worker A dies
        res.end('ok');
      });
      const noStallAllowed = { BULL_MAX_STALLED_COUNT: '0' };
      const workerA = await conveyor.startWorker(noStallAllowed);
      const jobId = await submit('/stalls', { attempts: 3 });
      await waitFor(() => target.hitsOn('/stalls').length === 1, { what: 'worker A to call the target' });
      await conveyor.startWorker(noStallAllowed); // worker B: its stalled check fails the job
      await workerA.kill();

      const record = await recordWhen(jobId, (r) => r.status === JobStatus.Failed, 30_000);
      expect(record.error).toMatchObject({ message: 'job stalled more than allowable limit', code: 'STALLED' });
      expect(record.attemptsMade).toBe(1);
      expect(target.hitsOn('/stalls')).toHaveLength(1); // Bull failed it without running it again
      // Whichever live worker held the sweep lock logged the fix (its log may trail the write).
      const fixed = new RegExp(`Reconcile: job ${jobId} \\(http, run 1\\) active → failed: .*\\[stalled\\]`);
      await waitFor(() => conveyor.workers.some((w) => fixed.test(w.logs())), { what: 'the sweep to log its fix' });

      const letter = await conveyor.http().get(`/api/v1/dead-letters/${jobId}`).set(admin);
      expect(letter.status).toBe(200);
      expect(letter.body.data).toMatchObject({ jobId, error: { code: 'STALLED' }, attemptsMade: 1, maxAttempts: 3 });
      const requeued = await conveyor.http().post(`/api/v1/dead-letters/${jobId}/requeue`).set(admin);
      expect(requeued.body.data).toEqual({ jobId, status: 'waiting', run: 2 });
      await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed' && j.run === 2);
      expect(target.hitsOn('/stalls')).toHaveLength(2);
    });
  });

  describe('the reconciliation sweep', () => {
    beforeAll(async () => {
      target.respond((_req, res) => res.end('ok'));
      await conveyor.startWorker();
      await conveyor.startWorker();
    });

    afterEach(async () => {
      await queue().resume();
    });

    it('fails a waiting record whose Bull job vanished, but only once the grace period has passed', async () => {
      await queue().pause(); // no worker takes the job
      const jobId = await submit('/orphan');
      await (await queue().getJob(jobId))!.remove();

      const record = await recordWhen(jobId, (r) => r.status === JobStatus.Failed);
      expect(record.error).toMatchObject({ code: 'MISSING_FROM_QUEUE' });
      expect(record.error?.message).toContain('no longer in queue http');
      // Sweeps ran every 500 ms meanwhile: none touched the record while a submit could be in flight.
      expect(record.finishedAt!.getTime() - record.createdAt.getTime()).toBeGreaterThanOrEqual(GRACE_MS);
      // The sweep logs just after writing the record; the worker's output arrives through a pipe.
      const fixed = new RegExp(`Reconcile: job ${jobId} \\(http, run 1\\) waiting → failed: not in the queue \\[missing-from-queue\\]`);
      await waitFor(() => conveyor.workers.some((w) => fixed.test(w.logs())), { what: 'the sweep to log its fix' });
    });

    it('records a vanished job cancelled when a cancel request is pending', async () => {
      await queue().pause();
      const jobId = await submit('/orphan-cancelled');
      await conveyor.app.get(JobControl).requestCancel(QueueName.Http, jobId);
      await (await queue().getJob(jobId))!.remove();

      const record = await recordWhen(jobId, (r) => r.status === JobStatus.Cancelled);
      expect(record.error).toBeNull();
      // The sweep clears the request just after writing the record.
      const control = conveyor.app.get(JobControl);
      await waitFor(async () => !(await control.isCancelRequested(QueueName.Http, jobId)), { what: 'cancel request cleared' });
    });

    it('settles a record from Bull when the worker’s outcome write was lost', async () => {
      const jobId = await submit('/lost-write');
      await recordWhen(jobId, (r) => r.status === JobStatus.Completed);
      // Simulate the lost write: the record still says active, as if the worker died right after
      // Bull marked the job completed (its last write is old, so past the grace period).
      const jobs = conveyor.app.get<Model<JobRecord>>(getModelToken(JobRecord.name));
      await jobs.updateOne(
        { _id: jobId },
        { $set: { status: 'active', seq: 5, result: null, finishedAt: null, attemptsMade: 0, updatedAt: new Date(Date.now() - 60_000) } },
      );

      const record = await recordWhen(jobId, (r) => r.status === JobStatus.Completed);
      expect(record).toMatchObject({ attemptsMade: 1, result: { statusCode: 200 }, error: null, progress: { percent: 100, step: null } });
      expect(record.seq).toBeGreaterThan(5);
      expect(target.hitsOn('/lost-write')).toHaveLength(1);
    });

    it('keeps fleet-wide counts of its fixes in Redis', async () => {
      const key = `${conveyor.env.BULL_PREFIX ?? 'conveyor'}:conveyor:reconcile:stats`;
      // A sweep counts a fix after writing it: the last test's record may be settled a moment before.
      const stats = await waitFor(
        async () => {
          const counts = await queue().client.hgetall(key);
          return counts['fixed:completed-in-queue'] ? counts : undefined;
        },
        { what: 'the sweep to count its last fix' },
      );
      expect(Number(stats.sweeps)).toBeGreaterThan(0);
      expect(Number(stats['fixed:missing-from-queue'])).toBeGreaterThanOrEqual(1);
      expect(Number(stats['fixed:stalled'])).toBeGreaterThanOrEqual(1);
      expect(Number(stats['fixed:completed-in-queue'])).toBeGreaterThanOrEqual(1);
    });
  });
});
