import { getConnectionToken } from '@nestjs/mongoose';
import { QueueName } from '@conveyor/contracts';
import type { Connection } from 'mongoose';
import { Conveyor } from '../support/conveyor';
import Redis from 'ioredis';
import { ProbeOracle } from '../support/probe-oracle';
import { SseClient } from '../support/sse-client';
import { waitFor } from '../support/wait-for';

const USER = 'probe-user';
const ADMIN_TOKEN = 'probe-faults-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * Fault tests read their oracle from the probe's own records (test/probe): what ran, where, and
 * whether each acknowledged run committed exactly once (RELIABILITY F1, F13).
 */
describe('Probe: nothing lost, nothing run twice', () => {
  let conveyor: Conveyor;
  let oracle: ProbeOracle;
  /** Every job the API acknowledged (201) in this suite: the oracle's "acknowledged" set. */
  const acknowledged: string[] = [];

  beforeAll(async () => {
    conveyor = await Conveyor.start({
      probe: true,
      workers: 2,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_ADMIN_LIMIT: '1000',
        THROTTLE_READ_LIMIT: '100000',
        RECONCILE_INTERVAL_MS: '500',
        RECONCILE_GRACE_MS: '1000',
        // One job at a time per worker: a worker blocked by a spin with a free slot still has a
        // blocking read of the queue waiting on Redis, which can take the job the stalled check
        // hands back and keep it unlocked until the spin ends (see the settled-pickup test).
        WORKER_MAX_CONCURRENCY: '1',
      },
    });
    oracle = new ProbeOracle(conveyor.app.get<Connection>(getConnectionToken()));
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  const submit = async (data: object, options: object = {}): Promise<string> => {
    const res = await conveyor.http().post('/api/v1/jobs').set('x-user-id', USER).send({ type: 'test.probe', data, options });
    expect(res.status).toBe(201);
    acknowledged.push(res.body.data.jobId);
    return res.body.data.jobId as string;
  };

  /** A supervisor: every worker that dies is replaced, until `done`; answers how many died. */
  const supervise = async (done: () => Promise<boolean>, what: string): Promise<number> => {
    const replaced = new Set<object>();
    await waitFor(
      async () => {
        if (await done()) return true;
        for (const dead of conveyor.workers.filter((w) => !w.running && !replaced.has(w))) {
          replaced.add(dead);
          await conveyor.startWorker();
        }
        return undefined;
      },
      // Each death costs a worker's boot, which the suites running beside this one can slow a lot.
      { timeoutMs: 100_000, what },
    );
    return replaced.size;
  };

  /** The job's step rows once every execution that started has ended (`exit` after its `step-1`). */
  const allEnded = (jobId: string) =>
    waitFor(
      async () => {
        const rows = await oracle.steps(jobId);
        const started = rows.filter((s) => s.step === 'step-1').length;
        if (started > 0 && rows.filter((s) => s.step === 'exit').length === started) return rows;
        throw new Error(`steps so far: ${rows.map((s) => `${s.pid}/${s.attempt}/${s.step}`).join(' ')}`);
      },
      { what: `every execution of ${jobId} to end`, timeoutMs: 30_000 },
    );

  const trace = (rows: { pid: number; attempt: number; step: string; at: Date }[]) =>
    rows.map((s) => `${s.pid}/${s.attempt}/${s.step}@${new Date(s.at).toISOString().slice(17, 23)}`).join(' ');

  const completed = (jobId: string) => conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed', 30_000);

  it('F1: a worker SIGKILLed mid-step; the other finishes the job, which commits once', async () => {
    const jobId = await submit({ steps: 5, at: 2, fault: 'sleep', ms: 3_000 });
    const first = await waitFor(async () => (await oracle.steps(jobId)).find((s) => s.step === 'step-2'), { what: 'step 2 to start' });
    const victim = conveyor.workers.find((w) => w.pid === first.pid)!;
    expect(victim).toBeDefined();
    await victim.kill();

    await completed(jobId);
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
    const steps = await oracle.steps(jobId);
    const stepTwoBy = steps.filter((s) => s.step === 'step-2').map((s) => s.pid);
    expect(stepTwoBy).toHaveLength(2);
    expect(stepTwoBy[1]).not.toBe(first.pid);
    expect(steps.filter((s) => s.step === 'commit')).toHaveLength(1);
    expect(steps.filter((s) => s.pid === first.pid).map((s) => s.step)).toEqual(['step-1', 'step-2']);
  });

  it('F13: a timed-out attempt whose handler keeps running stops at its next step; only the retry commits', async () => {
    const jobId = await submit(
      { steps: 3, at: 1, fault: 'stall', ms: 3_000, untilAttempt: 1 },
      { attempts: 2, timeout: 1_000, backoff: { type: 'fixed', delay: 100 } },
    );
    await completed(jobId);
    // The zombie wakes after the retry has committed, and ends (`exit`) at its next boundary.
    await waitFor(async () => (await oracle.steps(jobId)).some((s) => s.attempt === 1 && s.step === 'exit'), { what: 'the zombie to end' });
    const steps = await oracle.steps(jobId);
    expect(steps.filter((s) => s.attempt === 1).map((s) => s.step)).toEqual(['step-1', 'step-1-stall-ended', 'exit']);
    expect(steps.filter((s) => s.step === 'commit').map((s) => s.attempt)).toEqual([2]);
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  });

  it('F2: a poison pill crashes its worker on every run; it fails at the stall limit, other jobs flow, and it can be requeued', async () => {
    const deadBefore = conveyor.workers.filter((w) => !w.running).length;
    const poison = await submit({ steps: 2, at: 1, fault: 'crash' });
    const record = () => conveyor.record(poison);
    const died = await supervise(async () => (await record())?.status === 'failed', 'the poison pill to fail');
    expect(died - deadBefore).toBeGreaterThanOrEqual(2);
    expect(await record()).toMatchObject({ status: 'failed', error: { code: 'STALLED' } });
    // Jobs running beside the pill die with its process (and are retried); after it, work flows.
    await completed(await submit({ steps: 2 }));

    const letters = await conveyor.http().get('/api/v1/dead-letters').set(admin);
    expect(letters.body.data.items.map((i: { jobId: string }) => i.jobId)).toContain(poison);
    const requeued = await conveyor
      .http()
      .post(`/api/v1/dead-letters/${poison}/requeue`)
      .set(admin)
      .send({ data: { steps: 2 } });
    expect(requeued.body.data).toEqual({ jobId: poison, status: 'waiting', run: 2 });
    await conveyor.waitForJob(poison, USER, (j) => j.status === 'completed' && j.run === 2, 30_000);
    expect((await oracle.steps(poison)).filter((s) => s.step === 'commit').map((s) => s.run)).toEqual([2]);
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  }, 150_000);

  it('F12: a job whose lock is lost mid-step runs again; the fenced execution goes no further and the run commits once', async () => {
    const jobId = await submit({ steps: 3, at: 2, fault: 'sleep', ms: 3_000 });
    await waitFor(async () => (await oracle.steps(jobId)).some((s) => s.step === 'step-2'), { what: 'step 2 to start' });
    const queue = conveyor.queue(QueueName.Http);
    await queue.client.del(`${queue.toKey(jobId)}:lock`);

    await completed(jobId);
    // Both executions end (the fenced one included): then their records are all there is.
    const steps = await waitFor(
      async () => {
        const rows = await oracle.steps(jobId);
        const started = rows.filter((s) => s.step === 'step-2').length;
        return started === 2 && rows.filter((s) => s.step === 'exit').length === started ? rows : undefined;
      },
      { what: 'both executions to end' },
    );
    expect(steps.filter((s) => s.step === 'step-3')).toHaveLength(1); // only the owning execution went on
    expect(steps.filter((s) => s.step === 'commit')).toHaveLength(1);
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  });

  it('L6: a step computing for 3× the lock duration on a thread (ctx.offload) never stalls and runs once', async () => {
    const jobId = await submit({ steps: 3, at: 2, fault: 'spin', ms: 6_000, offload: true });
    await completed(jobId);
    const steps = await waitFor(async () => {
      const rows = await oracle.steps(jobId);
      return rows.some((s) => s.step === 'exit') ? rows : undefined;
    });
    expect(steps.map((s) => s.step)).toEqual(['step-1', 'step-2', 'step-3', 'commit', 'exit']);
    expect(new Set(steps.map((s) => `${s.pid}/${s.attempt}`)).size).toBe(1);
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  });

  it('L6 (why): the same computation on the event loop is taken for stalled, run again, and failed at the stall limit', async () => {
    const jobId = await submit({ steps: 3, at: 2, fault: 'spin', ms: 6_000 });
    // Failing is this job's documented outcome, not a loss: out of the oracle's acknowledged set.
    acknowledged.splice(acknowledged.indexOf(jobId), 1);
    const job = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'failed', 30_000);
    expect(job.error).toEqual(expect.objectContaining({ message: expect.any(String) }));
    // Every execution ends before the next test: a worker still spinning would stall its jobs too.
    const steps = await allEnded(jobId);
    // Each execution, on whichever worker, spun past its lock and was taken for stalled.
    expect(steps.filter((s) => s.step === 'step-2').length).toBeGreaterThanOrEqual(2);
    expect(steps.filter((s) => s.step === 'commit')).toHaveLength(0);
  });

  it('F12 (CPU): a first execution spinning past its lock is run again elsewhere; the spinner is fenced, one commit', async () => {
    const jobId = await submit({ steps: 3, at: 2, fault: 'spin', ms: 6_000, once: true });
    const job = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed' || j.status === 'failed', 30_000);
    const steps = await allEnded(jobId);
    // The executions' trace (pid/attempt/step, in order) says what went wrong if the job failed.
    expect(`${job.status}: ${trace(steps)}`).toMatch(/^completed: /);
    expect(steps.filter((s) => s.step === 'step-2')).toHaveLength(2);
    expect(steps.filter((s) => s.step === 'step-3')).toHaveLength(1);
    expect(steps.filter((s) => s.step === 'commit')).toHaveLength(1);
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  });

  it('a job Bull settled before a blocked worker read it from the queue is not run', async () => {
    const jobId = await submit({ steps: 2, at: 1, fault: 'throw' }, { attempts: 1 });
    acknowledged.splice(acknowledged.indexOf(jobId), 1); // it fails by design
    await conveyor.waitForJob(jobId, USER, (j) => j.status === 'failed', 30_000);
    const ran = await allEnded(jobId);
    const queue = conveyor.queue(QueueName.Http);
    const before = await queue.getJob(jobId);
    // What a worker blocked past the stall limit reads on waking: the settled job, handed to it by
    // the blocking read it sent before the block (Bull then locks it without looking at its state).
    await queue.client.rpush(queue.toKey('wait'), jobId);
    const notice = `Job ${jobId} on queue http was settled before this worker took it`;
    await waitFor(() => conveyor.workers.some((w) => w.logs().includes(notice)) || undefined, { what: 'a worker to pass the job by' });
    expect(await oracle.steps(jobId)).toHaveLength(ran.length);
    const after = await queue.getJob(jobId);
    expect([await after?.getState(), after?.failedReason, after?.finishedOn]).toEqual(['failed', before?.failedReason, before?.finishedOn]);
    expect(await queue.client.lrange(queue.toKey('active'), 0, -1)).not.toContain(jobId);
    expect(await queue.client.exists(queue.toKey(`${jobId}:lock`))).toBe(0);
    expect(await conveyor.record(jobId)).toMatchObject({ status: 'failed', attemptsMade: 1 });

    // The same once Bull has deleted the job (retention, an operator's clean): the take's stub goes too.
    await queue.client.del(queue.toKey(jobId));
    await queue.client.rpush(queue.toKey('wait'), jobId);
    const notices = () => conveyor.workers.reduce((n, w) => n + w.logs().split(notice).length - 1, 0);
    await waitFor(() => notices() === 2 || undefined, { what: 'a worker to pass the deleted job by' });
    expect(await queue.client.exists(queue.toKey(jobId))).toBe(0);
    expect(await queue.client.lrange(queue.toKey('active'), 0, -1)).not.toContain(jobId);
    expect(await oracle.steps(jobId)).toHaveLength(ran.length);
  });

  it('F12 (re-pickup): an execution whose pickup was superseded (a new processedOn) stops at its next step; the retry commits', async () => {
    const jobId = await submit(
      { steps: 3, at: 2, fault: 'stall', ms: 1_000, untilAttempt: 1 },
      { attempts: 2, backoff: { type: 'fixed', delay: 100 } },
    );
    await waitFor(async () => (await oracle.steps(jobId)).some((s) => s.step === 'step-2'), { what: 'step 2 to start' });
    // What a later pickup of the same job by the same worker does to Bull's hash (same lock token).
    const queue = conveyor.queue(QueueName.Http);
    await queue.client.hset(queue.toKey(jobId), 'processedOn', '1');

    await completed(jobId);
    const steps = await allEnded(jobId);
    expect(steps.filter((s) => s.step === 'step-3').map((s) => s.attempt)).toEqual([2]);
    expect(steps.filter((s) => s.step === 'commit').map((s) => s.attempt)).toEqual([2]);
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  });

  it('a job redelivered after its run was recorded completed is completed from the record, not run again', async () => {
    const jobId = await submit({ steps: 2 });
    const done = await completed(jobId);
    // The worker died between recording the outcome and telling Bull: Bull's stalled checker puts it back.
    const queue = conveyor.queue(QueueName.Http);
    const jobKey = queue.toKey(jobId);
    await queue.client
      .multi()
      .zrem(queue.toKey('completed'), jobId)
      .hdel(jobKey, 'finishedOn', 'returnvalue')
      .hincrby(jobKey, 'stalledCounter', 1)
      .lpush(queue.toKey('wait'), jobId)
      .exec();
    await waitFor(async () => (await queue.getJob(jobId))?.finishedOn, { what: 'Bull to complete the redelivered job' });
    expect(await (await queue.getJob(jobId))!.getState()).toBe('completed');
    expect((await oracle.steps(jobId)).filter((s) => s.step === 'step-1')).toHaveLength(1);
    expect((await conveyor.record(jobId))?.result).toEqual(done.result);
  });

  it('F9: every pub/sub and normal Redis connection killed while an SSE client watches a job; it still gets the terminal state', async () => {
    await conveyor.app.listen(0, '127.0.0.1');
    const api = await conveyor.app.getUrl();
    const jobId = await submit({ steps: 3, at: 2, fault: 'sleep', ms: 1_500 });
    const stream = await SseClient.open(api, `/api/v1/jobs/${jobId}/events`, { 'x-user-id': USER });
    try {
      await stream.next((e) => e.event === 'snapshot', 'the snapshot');
      await waitFor(async () => (await oracle.steps(jobId)).some((s) => s.step === 'step-2'), { what: 'step 2 to start' });
      const admin = new Redis(conveyor.redis.url);
      try {
        expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBeGreaterThan(0);
        expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal')).toBeGreaterThan(0); // not this connection (SKIPME)
      } finally {
        admin.disconnect();
      }
      const terminal = await stream.next((e) => ['completed', 'failed', 'cancelled'].includes(e.event ?? ''), 'the terminal event', 30_000);
      expect(terminal.event).toBe('completed');
      expect(terminal.data).toMatchObject({ jobId, status: 'completed' });
    } finally {
      stream.close();
    }
    expect(await oracle.verdict(acknowledged)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  });
});

describe('Probe: a cold restart (RELIABILITY F3)', () => {
  let conveyor: Conveyor;
  let oracle: ProbeOracle;

  beforeAll(async () => {
    // One worker taking three jobs at a time, so three are active and the rest wait.
    conveyor = await Conveyor.start({ probe: true, workers: 1, env: { WORKER_MAX_CONCURRENCY: '3', THROTTLE_READ_LIMIT: '100000' } });
    oracle = new ProbeOracle(conveyor.app.get<Connection>(getConnectionToken()));
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  it('F3: the only worker SIGKILLed with 3 jobs active and 5 waiting; a new one completes all 8, re-running exactly the 3', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await conveyor
        .http()
        .post('/api/v1/jobs')
        .set('x-user-id', USER)
        .send({ type: 'test.probe', data: { steps: 2, at: 1, fault: 'sleep', ms: 2_000 } });
      expect(res.status).toBe(201);
      ids.push(res.body.data.jobId);
    }
    const startedBy = async () => (await Promise.all(ids.map((id) => oracle.steps(id)))).filter((rows) => rows.length > 0).length;
    await waitFor(async () => ((await startedBy()) === 3 ? true : undefined), { what: 'three jobs to be active' });
    await conveyor.workers[0].kill();
    await conveyor.startWorker();

    for (const id of ids) await conveyor.waitForJob(id, USER, (j) => j.status === 'completed', 45_000);
    const runs = await Promise.all(ids.map((id) => oracle.steps(id)));
    const reRun = runs.filter((rows) => rows.filter((r) => r.step === 'step-1').length === 2);
    expect(reRun).toHaveLength(3);
    expect(runs.every((rows) => rows.filter((r) => r.step === 'commit').length === 1)).toBe(true);
    expect(await oracle.verdict(ids)).toEqual({ lost: [], duplicated: [], unexpected: [] });
  });
});
