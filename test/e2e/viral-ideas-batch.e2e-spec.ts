import { VIRAL_ANALYSIS_QUEUE } from '@conveyor/products/viral-ideas';
import { Conveyor } from '../support/conveyor';
import { FakeViralServices } from '../support/viral-services';
import { waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'viral-batch-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const ALICE = { 'x-user-id': 'alice' };
const STAGGER_MS = 100;

/** POST /api/viral-ideas/process-pending (seed 001): the admin batch trigger. */
describe('Viral-ideas batch processing', () => {
  let conveyor: Conveyor;
  let services: FakeViralServices;
  let sessions = 0;

  beforeAll(async () => {
    services = await FakeViralServices.start();
    conveyor = await Conveyor.start({
      workers: 0,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_ADMIN_LIMIT: '1000',
        VIRAL_BATCH_COOLDOWN_MS: '0',
        VIRAL_BATCH_STAGGER_MS: String(STAGGER_MS),
        VIRAL_STUCK_AFTER_MS: '500',
        ...services.env(),
      },
    });
  });

  afterAll(async () => {
    await conveyor?.close();
    await services?.close();
  });

  const processPending = () => conveyor.http().post('/api/viral-ideas/process-pending').set(admin);
  const createEntry = async (primary: string, priority?: number) => {
    services.profiles.set(primary, { followers: 10, reels: [{ id: `${primary}-1`, views: 100, posted_at: '2026-01-01T00:00:00.000Z' }] });
    const res = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(ALICE)
      .send({ session_id: `batch_session_${++sessions}`, primary_username: primary, priority });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; session_id: string };
  };
  const entryOf = async (sessionId: string) => (await conveyor.http().get(`/api/viral-ideas/queue/${sessionId}`).set(ALICE)).body.data;

  it('is for administrators only: 401 without a token or with a wrong one, 403 for anyone else or from an address not allowed', async () => {
    const anonymous = await conveyor.http().post('/api/viral-ideas/process-pending');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error_code).toBe('UNAUTHENTICATED');
    expect(
      (await conveyor.http().post('/api/viral-ideas/process-pending').set({ authorization: 'Bearer wrong-token-0123456789' })).status,
    ).toBe(401);
    for (const headers of [ALICE, { 'x-user-id': 'mallory', 'x-user-role': 'admin' }]) {
      const forbidden = await conveyor.http().post('/api/viral-ideas/process-pending').set(headers);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error_code).toBe('FORBIDDEN');
    }
    const elsewhere = await conveyor.extraApi({ BATCH_ALLOWED_IPS: '10.9.9.9, 192.168.0.0/16' });
    const refused = await elsewhere.http().post('/api/viral-ideas/process-pending').set(admin);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error_code: 'IP_NOT_ALLOWED', detail: 'IP address not authorized for batch processing' });
    const local = await conveyor.extraApi({ BATCH_ALLOWED_IPS: '127.0.0.0/8, ::1' });
    expect((await local.http().post('/api/viral-ideas/process-pending').set(admin)).status).toBe(200);
  });

  it('answers no_jobs_pending on an empty queue, and one call per cooldown (429 with Retry-After after)', async () => {
    const empty = await processPending();
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      success: true,
      data: { status: 'no_jobs_pending', pending_count: 0, stuck_count: 0, total_jobs: 0, in_progress_count: 0, last_processed_at: null },
      message: 'No pending jobs found in queue',
    });
    const throttled = await conveyor.extraApi({ VIRAL_BATCH_COOLDOWN_MS: '300000' });
    expect((await throttled.http().post('/api/viral-ideas/process-pending').set(admin)).status).toBe(200);
    const second = await throttled.http().post('/api/viral-ideas/process-pending').set(admin);
    expect(second.status).toBe(429);
    expect(second.body.error_code).toBe('RATE_LIMITED');
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(290);
    // The cooldown is fleet-wide: another replica is refused too.
    const replica = await conveyor.extraApi({ VIRAL_BATCH_COOLDOWN_MS: '300000' });
    const third = await replica.http().post('/api/viral-ideas/process-pending').set(admin);
    expect(third.status).toBe(429);
    expect(third.body.error_code).toBe('RATE_LIMITED');
  });

  it('enqueues pending entries in one batch by priority then submission time, staggered, and not again while they wait', async () => {
    const a = await createEntry('order_a', 5);
    const b = await createEntry('order_b', 1);
    const c = await createEntry('order_c', 3);
    const d = await createEntry('order_d', 1);
    const res = await processPending();
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Processing of 4 pending viral ideas queue items started');
    const data = res.body.data;
    expect(data).toMatchObject({ status: 'processing_started', pending_count: 4, stuck_count: 0, total_jobs: 4 });
    expect(data.batch_id).toMatch(/^batch_[0-9a-f-]{36}$/);
    expect(Date.parse(data.estimated_completion_time)).toBeGreaterThan(Date.now());
    expect(data.runs.map((r: any) => [r.queue_id, r.priority, r.start_after_ms, r.reason])).toEqual([
      [b.id, 1, 0, 'pending'],
      [d.id, 1, STAGGER_MS, 'pending'],
      [c.id, 3, 2 * STAGGER_MS, 'pending'],
      [a.id, 5, 3 * STAGGER_MS, 'pending'],
    ]);
    // In Bull: one job per entry with the entry's priority and its stagger as delay.
    const queue = conveyor.queue(VIRAL_ANALYSIS_QUEUE);
    for (const run of data.runs) {
      const job = await queue.getJob(run.job_id);
      expect(job?.opts).toMatchObject({ priority: run.priority, delay: run.start_after_ms });
    }
    // Asked again while they wait for a worker: nothing new.
    const again = await processPending();
    expect(again.body.data).toMatchObject({ status: 'already_processing', total_jobs: 0, in_progress_count: 4 });

    await conveyor.startWorker();
    for (const entry of [a, b, c, d]) {
      await waitFor(async () => (await entryOf(entry.session_id)).status === 'completed', {
        what: `entry ${entry.session_id} to complete`,
      });
    }
    const after = await processPending();
    expect(after.body.data).toMatchObject({ status: 'no_jobs_pending', last_processed_at: expect.any(String) });
    await Promise.all(conveyor.workers.splice(0).map((w) => w.kill()));
  });

  it('pauses an entry whose queued run is cancelled or cleared, and no batch starts it again', async () => {
    const cancelled = await createEntry('cancel_queued');
    const cleared = await createEntry('clear_queued');
    const started = await processPending();
    expect(started.body.data).toMatchObject({ status: 'processing_started', total_jobs: 2 });
    const jobOf = (id: string) => started.body.data.runs.find((r: any) => r.queue_id === id).job_id as string;
    const cancelRun = async (jobId: string) => {
      const res = await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(ALICE);
      expect(res.body.data).toEqual({ cancelled: true, status: 'cancelled' });
    };

    // No worker runs here: the owner cancels one run while it waits, an operator clears the other.
    await cancelRun(jobOf(cancelled.id));
    const clear = await conveyor.http().post(`/api/v1/queues/${VIRAL_ANALYSIS_QUEUE}/clear`).set(admin);
    expect(clear.body.data).toMatchObject({ action: 'cleared', affected: 1 });
    expect(await entryOf(cancelled.session_id)).toMatchObject({
      status: 'paused',
      current_step: 'Analysis cancelled',
      error_message: 'Cancelled before a worker took it; start it again to re-run',
    });
    expect(await entryOf(cleared.session_id)).toMatchObject({
      status: 'paused',
      current_step: 'Analysis cancelled',
      error_message: expect.stringContaining('Removed from the queue by an operator'),
    });
    // Paused is not pending: the batch leaves what its owner or an operator stopped.
    expect((await processPending()).body.data).toMatchObject({ status: 'no_jobs_pending', total_jobs: 0 });

    // Its owner can start it again, and cancel again.
    const restarted = await conveyor.http().post(`/api/viral-ideas/queue/${cancelled.id}/start`).set(ALICE);
    expect(restarted.body.data.queue_processing).toMatchObject({ signal_sent: true });
    expect(await entryOf(cancelled.session_id)).toMatchObject({ status: 'pending', error_message: null });
    await cancelRun(restarted.body.data.queue_processing.job_id);
    expect(await entryOf(cancelled.session_id)).toMatchObject({ status: 'paused', current_step: 'Analysis cancelled' });
  });

  it('fails the entry of a queued run whose Bull job vanished (reconcile sweep)', async () => {
    const entry = await createEntry('vanished_run');
    const started = await conveyor.http().post(`/api/viral-ideas/queue/${entry.id}/start`).set(ALICE);
    const jobId = started.body.data.queue_processing.job_id;
    await (await conveyor.queue(VIRAL_ANALYSIS_QUEUE).getJob(jobId))!.remove();
    // A worker whose sweep looks often and soon: it finds the record waiting with no job in Bull.
    await conveyor.startWorker({ RECONCILE_INTERVAL_MS: '200', RECONCILE_GRACE_MS: '300' });
    const failed = await waitFor(
      async () => {
        const e = await entryOf(entry.session_id);
        return e.status === 'failed' ? e : undefined;
      },
      { what: 'the sweep to fail the entry' },
    );
    expect(failed).toMatchObject({ job_id: jobId, current_step: 'Analysis failed' });
    expect(failed.error_message).toContain(`no longer in queue ${VIRAL_ANALYSIS_QUEUE}`);
    expect((await conveyor.waitForJob(jobId, 'alice', (j) => j.status === 'failed')).error.code).toBe('MISSING_FROM_QUEUE');
    await Promise.all(conveyor.workers.splice(0).map((w) => w.kill()));
  });

  it('never re-starts a run a live worker holds, and recovers the entry of a SIGKILLed worker', async () => {
    services.hangOnce.add('stuck_me');
    const entry = await createEntry('stuck_me');
    const workerA = await conveyor.startWorker();
    const started = await conveyor.http().post(`/api/viral-ideas/queue/${entry.id}/start`).set(ALICE);
    const firstJob = started.body.data.queue_processing.job_id;
    const processing = await waitFor(
      async () => {
        const e = await entryOf(entry.session_id);
        return e.status === 'processing' && services.profileHits('stuck_me').length === 1 ? e : undefined;
      },
      { what: 'worker A to hang in the profile fetch' },
    );
    // Past the stuck threshold, but worker A still holds the job's lock: it is live, not stuck.
    await waitFor(() => Date.now() - Date.parse(processing.started_processing_at) > 600, { what: 'the stuck threshold to pass' });
    const live = await processPending();
    expect(live.body.data).toMatchObject({ status: 'already_processing', total_jobs: 0, stuck_count: 0, in_progress_count: 1 });

    expect(await workerA.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    // Once the dead worker's lock runs out (2 s here), the entry is stuck and the batch re-starts it.
    const recovered = await waitFor(
      async () => {
        const res = await processPending();
        return res.body.data.stuck_count === 1 ? res.body.data : undefined;
      },
      { what: 'the batch to recover the stuck entry', timeoutMs: 15_000 },
    );
    expect(recovered).toMatchObject({ status: 'processing_started', pending_count: 0, total_jobs: 1 });
    expect(recovered.runs).toEqual([expect.objectContaining({ queue_id: entry.id, reason: 'stuck' })]);
    const secondJob = recovered.runs[0].job_id;
    expect(secondJob).not.toBe(firstJob);

    await conveyor.startWorker();
    const done = await waitFor(
      async () => {
        const e = await entryOf(entry.session_id);
        return e.status === 'completed' ? e : undefined;
      },
      { what: 'the recovered entry to complete', timeoutMs: 20_000 },
    );
    expect(done).toMatchObject({ job_id: secondJob, total_runs: 1 });
    // The dead worker's job, revived by the stalled check, found its entry taken and stopped.
    const old = await conveyor.waitForJob(firstJob, 'alice', (j) => j.status === 'failed', 20_000);
    expect(old.error.message).toContain('Superseded');
    expect(services.profileHits('stuck_me')).toHaveLength(2);
    expect((await entryOf(entry.session_id)).runs).toHaveLength(1);
  });
});
