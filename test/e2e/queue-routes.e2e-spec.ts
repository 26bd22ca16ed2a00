import { QueueRegistry, WorkerHeartbeats } from '@conveyor/queueing';
import { Conveyor } from '../support/conveyor';
import { testVideo } from '../support/media-fixtures';
import { TargetServer } from '../support/target-server';
import { Gate } from '../support/viral-services';
import { waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'queue-routes-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const USER = { 'x-user-id': 'queue-routes-user' };
const QUEUE = 'video-analysis';
const UNLIMITED = '100000';

/** The test video and a transcript service that answers once its gate opens (holding analyses in Transcribing). */
async function services(gate: () => Gate): Promise<{ media: TargetServer; transcripts: TargetServer }> {
  const media = await TargetServer.start();
  media.respond((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': testVideo().length });
    res.end(testVideo());
  });
  const transcripts = await TargetServer.start();
  transcripts.respond((_req, res) => {
    void gate().opened.then(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ segments: [{ start: 1, end: 2, text: 'hello' }] }));
    });
  });
  return { media, transcripts };
}

/**
 * Seed 002's queue routes, `/api/v1/queue/*`: status and metrics in the guide's field names,
 * pause, resume, drain, clear, clear-stuck, config and restart on the video-analysis queue by
 * default, with the guide's rate limits; and its alert thresholds in `/health/detailed`.
 */
describe('Queue routes (seed 002)', () => {
  let conveyor: Conveyor;
  let media: TargetServer;
  let transcripts: TargetServer;
  let gate = new Gate();

  beforeAll(async () => {
    testVideo();
    ({ media, transcripts } = await services(() => gate));
    conveyor = await Conveyor.start({
      workers: 2,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        TRANSCRIPT_SERVICE_URL: transcripts.url(''),
        THROTTLE_ADMIN_LIMIT: UNLIMITED,
        THROTTLE_QUEUE_ADMIN_LIMIT: UNLIMITED,
        THROTTLE_QUEUE_STATUS_LIMIT: UNLIMITED,
        VIDEO_SUBMIT_IP_LIMIT: UNLIMITED,
        WORKER_CONFIG_POLL_MS: '200',
        // Locks outlive this suite's waits, so only a restart can free a dead worker's job early.
        BULL_LOCK_DURATION_MS: '120000',
        BULL_LOCK_RENEW_MS: '1000',
        BULL_STALLED_INTERVAL_MS: '120000',
      },
    });
  });

  afterAll(async () => {
    gate.open();
    await conveyor?.close();
    await media?.close();
    await transcripts?.close();
  });

  const http = () => conveyor.http();
  const submit = (videoId: string) =>
    http()
      .post('/api/v1/analysis')
      .set(USER)
      .send({ video_id: videoId, video_url: media.url('/v.mp4') });
  const read = async (jobId: string) => (await http().get(`/api/v1/analysis/${jobId}`).set(USER)).body.data;
  const status = async (query = '') => (await http().get(`/api/v1/queue/status${query}`).set(ADMIN)).body.data;
  const settled = (jobId: string) =>
    waitFor(
      async () => {
        const job = await read(jobId);
        return ['completed', 'failed', 'cancelled'].includes(job?.status) ? job : undefined;
      },
      { what: `analysis ${jobId} to settle`, timeoutMs: 60_000 },
    );

  it("answers status and metrics for the video-analysis queue in the guide's names, beside the totals over every queue", async () => {
    gate.open();
    const done = await settled((await submit('vod-metrics')).body.data.job_id);
    expect(done.status).toBe('completed');

    const current = await status();
    expect(current).toMatchObject({
      queue: QUEUE,
      queue_length: 0,
      active_jobs: 0,
      active_workers: 2,
      max_workers: 6,
      utilization_percent: 0,
      queue_utilization_percent: 0,
      max_queue_size: 100,
      is_paused: false,
      is_draining: false,
    });
    // Today's totals over every job queue are still there.
    expect(current).toEqual(expect.objectContaining({ queueLength: 0, activeJobs: 0, activeWorkers: 2 }));

    const metrics = await waitFor(
      async () => {
        const body = (await http().get('/api/v1/queue/metrics?hours=1').set(ADMIN)).body.data;
        // The queue's counters and the totals over every queue are read apart: wait for both.
        return body.performance.total_jobs_processed >= 1 && body.completed >= 1 && body.average_queue_wait_seconds !== null
          ? body
          : undefined;
      },
      { what: 'the run to reach the queue metrics' },
    );
    expect(metrics.performance).toMatchObject({ total_jobs_processed: 1, total_jobs_failed: 0, total_jobs_retried: 0 });
    expect(metrics.performance.average_processing_time).toBeGreaterThan(0);
    expect(metrics.performance.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(metrics.average_queue_wait_seconds).toBeGreaterThanOrEqual(0);
    expect(metrics).toEqual(expect.objectContaining({ hours: 1, completed: 1, processed: 1 }));

    // Another queue by name; an unknown one is 404; callers who are not admins get 403.
    expect((await status('?queue=http')).queue).toBe('http');
    const unknown = await http().get('/api/v1/queue/status?queue=nope').set(ADMIN);
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'QUEUE_NOT_FOUND']);
    expect((await http().get('/api/v1/queue/metrics').set(USER)).status).toBe(403);
    expect((await http().post('/api/v1/queue/pause').set(USER)).status).toBe(403);
  });

  it('pauses, resumes, drains and clears the video-analysis queue', async () => {
    gate.open();
    expect((await http().post('/api/v1/queue/pause').set(ADMIN)).body.data).toMatchObject({ queue: QUEUE, action: 'paused' });
    expect((await status()).is_paused).toBe(true);
    const held = (await submit('vod-paused')).body.data.job_id;
    expect((await status()).queue_length).toBe(1);
    expect((await read(held)).status).toBe('queued');

    expect((await http().post('/api/v1/queue/resume').set(ADMIN)).body.data.action).toBe('resumed');
    expect((await settled(held)).status).toBe('completed');

    await http().post('/api/v1/queue/drain').set(ADMIN).expect(200);
    expect((await status()).is_draining).toBe(true);
    const refused = await submit('vod-draining');
    expect([refused.status, refused.body.error_code]).toEqual([503, 'QUEUE_DRAINING']);
    await http().post('/api/v1/queue/resume').set(ADMIN).expect(200);

    await http().post('/api/v1/queue/pause').set(ADMIN).expect(200);
    const queued = [(await submit('vod-clear-1')).body.data.job_id, (await submit('vod-clear-2')).body.data.job_id];
    const cleared = await http().post('/api/v1/queue/clear').set(ADMIN);
    expect(cleared.body.data).toMatchObject({ queue: QUEUE, action: 'cleared', affected: 2 });
    for (const jobId of queued) expect((await read(jobId)).status).toBe('cancelled');
    // The guide's clear-stuck takes no body: nothing is stuck here.
    expect((await http().post('/api/v1/queue/clear-stuck').set(ADMIN)).body.data).toMatchObject({ queue: QUEUE, affected: 0 });
    await http().post('/api/v1/queue/resume').set(ADMIN).expect(200);
  });

  it("changes settings in the guide's names, keeping what it leaves out, and workers apply them", async () => {
    const before = (await http().get('/api/v1/queue/config').set(ADMIN)).body.data;
    expect(before).toMatchObject({ queue: QUEUE, max_concurrent_jobs: 3, max_queue_size: 100, job_timeout: 3600, max_retries: 3 });

    const changed = await http().put('/api/v1/queue/config').set(ADMIN).send({ max_concurrent_jobs: 2 });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ max_concurrent_jobs: 2, max_queue_size: 100, job_timeout: 3600, max_retries: 3 });
    await waitFor(async () => (await status()).max_workers === 4, { what: 'both workers to run 2 analyses at once' });

    const more = await http().put('/api/v1/queue/config').set(ADMIN).send({ max_queue_size: 2, job_timeout: 600, max_retries: 1 });
    expect(more.body.data).toMatchObject({ max_concurrent_jobs: 2, max_queue_size: 2, job_timeout: 600, max_retries: 1 });
    expect(more.body.data.effective).toMatchObject({ concurrency: 2, backlogLimit: 2, timeoutMs: 600_000, attempts: 2 });

    // The new backlog limit holds at once for submissions.
    await http().post('/api/v1/queue/pause').set(ADMIN).expect(200);
    await waitFor(async () => (await submit('vod-full')).status === 429, { what: 'the backlog limit of 2 to refuse a submission' });
    expect((await status()).queue_utilization_percent).toBe(100);
    await http().post('/api/v1/queue/clear').set(ADMIN).expect(200);
    await http().post('/api/v1/queue/resume').set(ADMIN).expect(200);

    for (const [body, field] of [
      [{ max_retries: 10 }, 'max_retries'],
      [{ job_timeout: 11 * 3600 }, 'job_timeout'],
      [{ max_concurrent_jobs: 0 }, 'max_concurrent_jobs'],
      [{}, 'body'],
      [{ max_workers: 2 }, 'max_workers'],
    ] as const) {
      const refused = await http().put('/api/v1/queue/config').set(ADMIN).send(body);
      expect([refused.status, refused.body.error_code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(JSON.stringify(refused.body)).toContain(field);
    }
    await http()
      .put('/api/v1/queue/config')
      .set(ADMIN)
      .send({ max_concurrent_jobs: 3, max_queue_size: 100, job_timeout: 3600, max_retries: 3 });
    await waitFor(async () => (await status()).max_workers === 6, { what: 'the workers to run 3 analyses at once again' });
  });

  it("judges the queue by the guide's alert thresholds in /health/detailed", async () => {
    await http().post('/api/v1/queue/pause').set(ADMIN).expect(200);
    const jobs = Array.from({ length: 51 }, (_, i) => ({
      type: 'video.analysis',
      data: { video_id: `alert-${i}`, video_url: media.url('/v.mp4') },
    }));
    expect((await http().post('/api/v1/jobs/bulk').set(USER).send({ jobs })).body.data.accepted).toBe(51);
    const health = (await http().get('/health/detailed').set(ADMIN)).body;
    const queue = (health.data ?? health).queues.find((q: { name: string }) => q.name === QUEUE);
    expect(queue.thresholds).toMatchObject({
      queueDepthWarning: 50,
      utilisationWarning: 0.9,
      failureRateWarning: 0.1,
      averageProcessingWarningMs: 2 * 3600_000,
    });
    expect(queue.status).toBe('warning');
    expect(queue.reasons).toContain('51 jobs waiting (threshold 50)');
    // Other queues keep the HEALTH_* defaults.
    const http_ = (health.data ?? health).queues.find((q: { name: string }) => q.name === 'http');
    expect(http_.thresholds.queueDepthWarning).toBe(100);
    expect((await http().post('/api/v1/queue/clear').set(ADMIN)).body.data.affected).toBe(51);
    await http().post('/api/v1/queue/resume').set(ADMIN).expect(200);
  });

  it('restarts the consumers of every worker, and at once re-runs the jobs of a killed worker, not those of a live one', async () => {
    gate = new Gate();
    const queue = conveyor.app.get(QueueRegistry).get(QUEUE);
    const heartbeats = conveyor.app.get(WorkerHeartbeats);
    // Four analyses wait on their transcripts; each worker takes jobs in turn, so both hold some.
    const jobIds: string[] = [];
    for (let i = 0; i < 4; i++) jobIds.push((await submit(`vod-restart-${i}`)).body.data.job_id);
    await waitFor(async () => (await Promise.all(jobIds.map(read))).every((j) => j.progress?.current_stage === 'Transcribing'), {
      what: 'every analysis to wait on its transcript',
    });
    // Which worker holds which job: the worker whose consumer's token holds the job's lock.
    const workers = await heartbeats.list();
    const holders = new Map<string, number>();
    for (const jobId of jobIds) {
      const token = await queue.client.get(queue.toKey(`${jobId}:lock`));
      holders.set(jobId, workers.find((w) => token !== null && w.lockTokens?.includes(token))!.pid);
    }
    const victim = conveyor.workers.find((w) => w.pid === holders.get(jobIds[0]))!;
    const survivor = conveyor.workers.find((w) => w !== victim && w.running)!;
    const orphaned = jobIds.filter((id) => holders.get(id) === victim.pid);
    const kept = jobIds.filter((id) => holders.get(id) === survivor.pid);
    expect(kept.length).toBeGreaterThan(0); // the survivor's jobs prove a live worker's locks are left alone
    victim.signal('SIGKILL');
    await victim.exited;
    // Its locks live on (2 min); its heartbeat expires.
    await waitFor(async () => (await status()).active_workers === 1, {
      what: 'the killed worker’s heartbeat to expire',
      timeoutMs: 30_000,
    });
    expect((await status()).active_jobs).toBe(4);

    const restarted = await http().post('/api/v1/queue/restart').set(ADMIN);
    expect(restarted.status).toBe(200);
    expect(restarted.body.data).toMatchObject({ queue: QUEUE, action: 'restarted', affected: orphaned.length });
    await waitFor(() => survivor.logs().includes(`Restarting the consumer of queue ${QUEUE}`), {
      what: 'the surviving worker to re-create its consumer',
    });
    // Put back as a stall: the killed worker's jobs once each, the survivor's never.
    const stalls = async (jobId: string) => Number(await queue.client.hget(queue.toKey(jobId), 'stalledCounter')) || 0;
    for (const jobId of orphaned) expect(await stalls(jobId)).toBe(1);
    for (const jobId of kept) expect(await stalls(jobId)).toBe(0);
    gate.open();
    for (const jobId of jobIds) expect((await settled(jobId)).status).toBe('completed');
    // A second restart finds nothing orphaned.
    expect((await http().post('/api/v1/queue/restart').set(ADMIN)).body.data.affected).toBe(0);
  });

  it("holds the guide's rate limits: queue actions 5 a minute, status 100, analysis submissions 10 per IP", async () => {
    // Every limit at its default: the route limits replace the admin class's 60, which would cap the 100 status reads.
    const limited = await conveyor.extraApi({
      THROTTLE_ADMIN_LIMIT: undefined,
      THROTTLE_QUEUE_ADMIN_LIMIT: undefined,
      THROTTLE_QUEUE_STATUS_LIMIT: undefined,
      VIDEO_SUBMIT_IP_LIMIT: undefined,
      ...conveyor.otherDeployment('queue-route-limits'),
    });
    const actions = [];
    for (let i = 0; i < 6; i++) actions.push((await limited.http().post('/api/v1/queue/resume').set(ADMIN)).status);
    expect(actions).toEqual([200, 200, 200, 200, 200, 429]);

    const reads = [];
    for (let i = 0; i < 101; i++) reads.push((await limited.http().get('/api/v1/queue/status').set(ADMIN)).status);
    expect(reads.slice(0, 100).every((s) => s === 200)).toBe(true);
    expect(reads[100]).toBe(429);

    // Ten callers from one IP share its ten submissions a minute.
    const submits = [];
    for (let i = 0; i < 11; i++) {
      const res = await limited
        .http()
        .post('/api/v1/analysis')
        .set('x-user-id', `ip-user-${i}`)
        .send({ video_id: `limited-${i}`, video_url: media.url('/v.mp4') });
      submits.push(res.status);
      if (i === 10) expect(res.body.error_code).toBe('RATE_LIMITED');
    }
    expect(submits).toEqual([...Array(10).fill(201), 429]);
  });
});
