import { QueueName } from '@conveyor/contracts';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'controller';

describe('Job control: cancel, retry, priority', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start({ env: { WORKER_MAX_CONCURRENCY: '1' } });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const submit = (path: string, options: object = {}) => conveyor.submitHttpJob(USER, target.url(path), options);
  const as = (user = USER) => ({ 'x-user-id': user });
  const queue = () => conveyor.queue(QueueName.Http);

  describe('cancel', () => {
    it('removes a waiting job at once and records it cancelled', async () => {
      await queue().pause();
      const jobId = await submit('/never-waiting');
      const res = await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(as());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, data: { cancelled: true, status: 'cancelled' } });
      expect(await queue().getJob(jobId)).toBeNull();
      await queue().resume();
      const job = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'cancelled');
      expect(job.finishedAt).not.toBeNull();
      expect(target.hitsOn('/never-waiting')).toHaveLength(0);
    });

    // Closes a race with the reconcile sweep: a sweep that finds the job gone from the queue before
    // the API records it cancelled sees the cancel request and records it cancelled, not failed as
    // missing (and a worker that takes it meanwhile stops at its first step).
    it('asks for the cancel before it takes the job out of the queue', async () => {
      const jobId = await submit('/never-ordered', { delay: 60_000 });
      const client = conveyor.redis.client();
      const monitor = await client.monitor();
      const commands: string[][] = [];
      monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
      try {
        const res = await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(as());
        expect(res.body.data).toEqual({ cancelled: true, status: 'cancelled' });
      } finally {
        monitor.disconnect();
      }
      client.disconnect();
      const requested = commands.findIndex(([name, key]) => name.toLowerCase() === 'set' && key.includes('cancel') && key.endsWith(jobId));
      const removed = commands.findIndex(([name, key]) => name.toLowerCase() === 'del' && key.endsWith(`:${jobId}`));
      expect(requested).toBeGreaterThanOrEqual(0);
      expect(removed).toBeGreaterThan(requested);
      // Recorded cancelled, the request is cleared: it would otherwise stop a later run.
      const keys = conveyor.redis.client();
      try {
        expect(await keys.keys(`*cancel*${jobId}`)).toEqual([]);
      } finally {
        keys.disconnect();
      }
    });

    it('removes a delayed job through DELETE too', async () => {
      const jobId = await submit('/never-delayed', { delay: 60_000 });
      const res = await conveyor.http().delete(`/api/v1/jobs/${jobId}`).set(as());
      expect(res.body.data).toEqual({ cancelled: true, status: 'cancelled' });
      expect((await conveyor.record(jobId))?.status).toBe('cancelled');
    });

    it('stops an active job, records it cancelled and never retries it', async () => {
      target.respond((req, res) => {
        if (req.url === '/held') setTimeout(() => res.end('too late'), 20_000).unref();
        else res.end('ok');
      });
      const jobId = await submit('/held', { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
      await conveyor.waitForJob(jobId, USER, (j) => j.status === 'active' && j.progress.step === 'send-request');
      // The target has the request (the cancel must not race the request's arrival).
      await waitFor(() => target.hitsOn('/held').length === 1, { what: 'the held request to arrive' });

      const res = await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(as());
      expect(res.body.data).toEqual({ cancelled: true, status: 'cancelling' });
      const job = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'cancelled');
      expect(job.attemptsMade).toBe(1);
      // The next job runs, so the worker moved on; the cancelled one was not tried again.
      const next = await submit('/after-cancel');
      await conveyor.waitForJob(next, USER, (j) => j.status === 'completed');
      expect(target.hitsOn('/held')).toHaveLength(1);
      expect((await conveyor.record(jobId))?.status).toBe('cancelled');
    });

    it('refuses to cancel a finished job (409) and hides other callers’ jobs (404)', async () => {
      target.respond((_req, res) => res.end('ok'));
      const jobId = await submit('/finishes');
      await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
      const finished = await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(as());
      expect(finished.status).toBe(409);
      expect(finished.body).toMatchObject({ success: false, error_code: 'INVALID_JOB_STATE', details: { status: 'completed' } });

      const waiting = await submit('/someone-elses', { delay: 60_000 });
      for (const call of [
        conveyor.http().post(`/api/v1/jobs/${waiting}/cancel`).set(as('intruder')),
        conveyor.http().delete(`/api/v1/jobs/${waiting}`).set(as('intruder')),
        conveyor.http().post(`/api/v1/jobs/${waiting}/retry`).set(as('intruder')),
        conveyor.http().put(`/api/v1/jobs/${waiting}/priority`).set(as('intruder')).send({ priority: 1 }),
        conveyor.http().get(`/api/v1/jobs/${waiting}`).set(as('intruder')),
        conveyor.http().get(`/api/v1/jobs/${waiting}/status`).set(as('intruder')),
        conveyor.http().post(`/api/v1/jobs/${waiting}/cancel`).set({ 'x-session-id': 'anonymous-session-0001' }),
        conveyor.http().delete(`/api/v1/jobs/${waiting}`).set({ 'x-session-id': 'anonymous-session-0001' }),
        conveyor.http().post(`/api/v1/jobs/${waiting}/retry`).set({ 'x-session-id': 'anonymous-session-0001' }),
        conveyor.http().put(`/api/v1/jobs/${waiting}/priority`).set({ 'x-session-id': 'anonymous-session-0001' }).send({ priority: 1 }),
        conveyor.http().get(`/api/v1/jobs/${waiting}/status`).set({ 'x-session-id': 'anonymous-session-0001' }),
      ]) {
        const res = await call;
        expect(res.status).toBe(404);
        expect(res.body.error_code).toBe('JOB_NOT_FOUND');
      }
      expect((await conveyor.record(waiting))?.status).toBe('delayed');
    });
  });

  describe('retry', () => {
    it('runs a failed job again as a new run, keeping the old run in its history', async () => {
      let healthy = false;
      target.respond((_req, res) => {
        res.statusCode = healthy ? 200 : 500;
        res.end();
      });
      const jobId = await submit('/flaky-service', { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
      await conveyor.waitForJob(jobId, USER, (j) => j.status === 'failed');

      healthy = true;
      const res = await conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set(as());
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ jobId, status: 'waiting', run: 2 });
      const job = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
      expect(job).toMatchObject({ run: 2, attemptsMade: 1, error: null, result: { statusCode: 200 } });
      expect(target.hitsOn('/flaky-service')).toHaveLength(3);
      const record = await conveyor.record(jobId);
      expect(record?.history).toEqual([expect.objectContaining({ run: 1, status: 'failed', attemptsMade: 2 })]);
    });

    it('runs a cancelled job again, and refuses jobs that did not fail or were not cancelled', async () => {
      target.respond((_req, res) => res.end('ok'));
      const jobId = await submit('/cancel-then-retry', { delay: 60_000 });
      const early = await conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set(as());
      expect(early.status).toBe(409);
      await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(as());
      const retried = await conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set(as());
      expect(retried.body.data.run).toBe(2);
      await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
      const again = await conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set(as());
      expect(again.status).toBe(409);
      expect(again.body.error_code).toBe('INVALID_JOB_STATE');
    });
  });

  describe('priority', () => {
    it('reorders waiting jobs and returns the new position', async () => {
      target.respond((_req, res) => res.end('ok'));
      await queue().pause();
      const a = await submit('/prio-a');
      const b = await submit('/prio-b');
      const c = await submit('/prio-c', { priority: 'low' });

      const res = await conveyor.http().put(`/api/v1/jobs/${c}/priority`).set(as()).send({ priority: 'urgent' });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ jobId: c, priority: 1, queuePosition: 1 });
      const moved = await conveyor.http().put(`/api/v1/jobs/${a}/priority`).set(as()).send({ priority: 8 });
      expect(moved.body.data).toMatchObject({ priority: 8, queuePosition: 3 });
      expect((await conveyor.http().get(`/api/v1/jobs/${c}`).set(as())).body.data.priority).toBe(1);

      const before = target.hits.length;
      await queue().resume();
      await waitFor(() => target.hits.length - before === 3, { what: 'the three jobs to run' });
      expect(target.hits.slice(before).map((h) => h.path)).toEqual(['/prio-c', '/prio-b', '/prio-a']);
      for (const id of [a, b, c]) await conveyor.waitForJob(id, USER, (j) => j.status === 'completed');
    });

    it('changes only waiting jobs, and validates the priority', async () => {
      const delayed = await submit('/prio-delayed', { delay: 60_000 });
      const notWaiting = await conveyor.http().put(`/api/v1/jobs/${delayed}/priority`).set(as()).send({ priority: 1 });
      expect(notWaiting.status).toBe(409);
      for (const priority of [0, 11, 1.5, 'urgentish', null]) {
        const bad = await conveyor.http().put(`/api/v1/jobs/${delayed}/priority`).set(as()).send({ priority });
        expect(bad.status).toBe(400);
        expect(bad.body.errors[0].field).toBe('priority');
      }
      const extra = await conveyor.http().put(`/api/v1/jobs/${delayed}/priority`).set(as()).send({ priority: 2, status: 'completed' });
      expect(extra.status).toBe(400);
      expect(await conveyor.record(delayed)).toMatchObject({ status: 'delayed', priority: 5 });
    });
  });
});
