import { QueueRegistry } from '@conveyor/queueing';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'seed-004-admin-token-0123456789abcdef';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const USER = { 'x-user-id': 'test-user-123' };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Seed 004's configuration block, as its deployments set it. */
const SEED_ENV = {
  DEFAULT_JOB_ATTEMPTS: '3',
  DEFAULT_JOB_DELAY: '0',
  MAX_CONCURRENT_JOBS: '10',
  CLEANUP_INTERVAL_HOURS: '24',
  HEALTH_CHECK_INTERVAL_MINUTES: '5',
  MAX_JOBS_PER_QUEUE: '1000',
  REMOVE_COMPLETED_AFTER: '100',
  REMOVE_FAILED_AFTER: '50',
};

/**
 * Issue 16: every request example of seed 004's job service, sent as written (under our `/api/v1`
 * prefix, with our identity headers), and every field its response examples show. Where a
 * document's field differs in shape from ours, the comment says so.
 */
describe("Seed 004's examples, as written", () => {
  let conveyor: Conveyor;
  let places: TargetServer;
  let target: TargetServer;
  /** The seed's own submission (the first example): a whole discovery flow. */
  let discoveryId: string;

  beforeAll(async () => {
    places = await TargetServer.start();
    places.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ places: [{ name: 'Rival Restaurant', address: '1 Main St' }, { name: 'Other Diner' }] }));
    });
    target = await TargetServer.start();
    target.respond((req, res) => {
      if (req.url === '/hang') return; // never answers: the job stays active
      res.writeHead(404);
      res.end('nope');
    });
    conveyor = await Conveyor.start({
      workers: 1,
      env: {
        ...SEED_ENV,
        PLACES_SERVICE_URL: places.url(),
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_READ_LIMIT: '100000',
        THROTTLE_ADMIN_LIMIT: '100000',
        THROTTLE_QUEUE_ADMIN_LIMIT: '1000',
      },
    });
  });

  afterAll(async () => {
    await conveyor?.close();
    await places?.close();
    await target?.close();
  });

  const jobRead = async (jobId: string) => (await conveyor.http().get(`/api/v1/jobs/${jobId}`).set(USER)).body.data;
  const ended = (jobId: string) =>
    waitFor(
      async () => {
        const job = await jobRead(jobId);
        return ['completed', 'failed', 'cancelled'].includes(job?.status) ? job : undefined;
      },
      { what: `job ${jobId} to end`, timeoutMs: 30_000 },
    );

  /** The seed's "Create Job": POST /api/v1/jobs as its user, the body as written. */
  const createJob = (body: object) => conveyor.http().post('/api/v1/jobs').set(USER).send(body);

  it('POST /jobs (Create Job): the seed body with its queue; the answer has jobId, queue, type, status, createdAt', async () => {
    const res = await createJob({
      queue: 'business-discovery',
      type: 'discover-with-instagram',
      data: { businessName: 'Downtown Restaurant', location: 'New York, NY', businessType: 'restaurant', radius: 50 },
      options: { priority: 5, attempts: 3, delay: 0 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      success: true,
      data: { queue: 'business-discovery', type: 'discover-with-instagram', status: 'waiting', createdAt: expect.stringMatching(ISO) },
    });
    expect(res.body.data.jobId).toEqual(expect.any(String));
    discoveryId = res.body.data.jobId;
  });

  it('refuses a queue that is not the type’s, naming it', async () => {
    const res = await createJob({ queue: 'video-scraping', type: 'discover-competitors', data: { businessName: 'Test Restaurant' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'queue', message: 'queue must be business-discovery for type discover-competitors (or left out)' },
    ]);
  });

  it('Testing Jobs + Get Job Status: the test job runs, and its read has every field the seed shows', async () => {
    const res = await createJob({
      queue: 'business-discovery',
      type: 'discover-competitors',
      data: { businessId: 'test123', businessName: 'Test Restaurant' },
    });
    expect(res.status).toBe(201);
    const job = await ended(res.body.data.jobId);
    expect(job).toMatchObject({
      jobId: res.body.data.jobId,
      queue: 'business-discovery',
      type: 'discover-competitors',
      status: 'completed',
      data: { businessId: 'test123', businessName: 'Test Restaurant' },
      result: { success: true, data: { businessesFound: 2 }, processingTime: job.processingTime },
      attempts: 1,
      maxAttempts: 3,
      createdAt: expect.stringMatching(ISO),
      completedAt: expect.stringMatching(ISO),
      failedAt: null,
    });
    expect(job.processingTime).toBe(Date.parse(job.completedAt) - Date.parse(job.startedAt));
    // The seed prints `progress: 100`; ours is { percent, step } (seeds 000-003 and today's clients read it).
    expect(job.progress.percent).toBe(100);
    // The result's own fields stay where today's clients read them.
    expect(job.result.businessesFound).toBe(2);
  });

  it('Get User Jobs: ?page=1&limit=20&status=completed&queue=… answers a numbered page', async () => {
    // The discovery's detections are instagram-detection jobs: counted once its flow has ended.
    await waitFor(
      async () => (await conveyor.http().get(`/api/v1/jobs/${discoveryId}/flow`).set(USER)).body.data?.flow?.status !== 'running',
      {
        what: 'the discovery flow to end',
        timeoutMs: 60_000,
      },
    );
    const res = await conveyor
      .http()
      .get('/api/v1/jobs/user/test-user-123?page=1&limit=20&status=completed&queue=instagram-detection')
      .set(USER);
    expect(res.status).toBe(200);
    const { items, total } = res.body.data;
    expect(res.body.data).toMatchObject({ page: 1, limit: 20, pages: Math.ceil(total / 20) });
    expect(items).toHaveLength(Math.min(total, 20));
    expect(items.every((j: { status: string; queue: string }) => j.status === 'completed' && j.queue === 'instagram-detection')).toBe(true);
    // One job a page: as many pages as jobs, the newest first.
    const business = await conveyor.http().get('/api/v1/jobs/user/test-user-123?page=2&limit=1&queue=business-discovery').set(USER);
    expect(business.body.data.total).toBeGreaterThanOrEqual(2);
    expect(business.body.data).toMatchObject({ page: 2, limit: 1, pages: business.body.data.total });
    expect(business.body.data.items).toHaveLength(1);
    const both = await conveyor.http().get('/api/v1/jobs/user/test-user-123?page=1&cursor=abc').set(USER);
    expect(both.status).toBe(400);
  });

  it('Cancel Job (DELETE) and Retry Failed Job', async () => {
    const delayed = await createJob({
      type: 'http.request',
      data: { url: target.url('/later'), method: 'GET' },
      options: { delay: 600_000 },
    });
    const cancel = await conveyor.http().delete(`/api/v1/jobs/${delayed.body.data.jobId}`).set(USER);
    expect(cancel.status).toBe(200);
    expect(cancel.body.data).toMatchObject({ cancelled: true, status: 'cancelled' });

    const failing = await createJob({
      type: 'http.request',
      data: { url: target.url('/missing'), method: 'GET', expectStatus: 200 },
      options: { attempts: 1 },
    });
    const failed = await ended(failing.body.data.jobId);
    expect(failed).toMatchObject({ status: 'failed', failedAt: expect.stringMatching(ISO), completedAt: null, attempts: 1 });
    const retry = await conveyor.http().post(`/api/v1/jobs/${failing.body.data.jobId}/retry`).set(USER);
    expect(retry.status).toBe(200);
  });

  it('reads a priority on the seed’s scale (higher = more important) when asked to', async () => {
    const res = await createJob({
      type: 'http.request',
      data: { url: target.url('/p'), method: 'GET' },
      options: { priority: 10, delay: 600_000 },
      priorityOrder: 'higher-first',
    });
    expect(res.status).toBe(201);
    expect((await jobRead(res.body.data.jobId)).priority).toBe(1);
  });

  it('Get All Queues: each queue in the seed’s model, with the seed’s configuration applied', async () => {
    // A job of this test's own completes on the queue: its processing time and end are then known.
    const submittedAt = Date.now();
    const submit = await createJob({ queue: 'business-discovery', type: 'discover-competitors', data: { businessName: 'Queue Model' } });
    expect((await ended(submit.body.data.jobId)).status).toBe('completed');
    // Workers send their outcome counters in batches: the queue shows them a moment later.
    const res = await waitFor(
      async () => {
        const read = await conveyor.http().get('/api/v1/queues').set(ADMIN);
        const queue = read.body.data?.find((q: { name: string }) => q.name === 'business-discovery');
        return queue?.lastProcessedAt && Date.parse(queue.lastProcessedAt) >= submittedAt ? read : undefined;
      },
      { what: 'the queue to show the completed job' },
    );
    expect(res.status).toBe(200);
    const discovery = res.body.data.find((q: { name: string }) => q.name === 'business-discovery');
    expect(discovery).toMatchObject({
      name: 'business-discovery',
      description: 'Business and competitor discovery jobs',
      isActive: true,
      liveStats: {
        waiting: expect.any(Number),
        active: expect.any(Number),
        completed: expect.any(Number),
        failed: expect.any(Number),
        total: expect.any(Number),
      },
      healthStatus: expect.stringMatching(/^(healthy|warning|error)$/),
      processingRate: expect.any(Number),
      // REMOVE_COMPLETED_AFTER, REMOVE_FAILED_AFTER; the seed's queue table for the rest.
      configuration: { concurrency: 5, retryAttempts: 3, retryDelay: 2000, removeOnComplete: 100, removeOnFail: 50 },
      lastHealthCheck: expect.stringMatching(ISO),
    });
    const { waiting, active, completed, failed, delayed } = discovery.liveStats;
    expect(discovery.liveStats.total).toBe(waiting + active + completed + failed + delayed);
    expect(discovery.averageProcessingTime).toEqual(expect.any(Number));
    expect(discovery.averageProcessingTime).toBeGreaterThan(0);
    expect(discovery.lastProcessedAt).toMatch(ISO);
    expect(Date.parse(discovery.lastProcessedAt)).toBeGreaterThanOrEqual(submittedAt);
    expect(Date.parse(discovery.lastProcessedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('Queue Details, Jobs, Pause/Resume, Clean and Metrics take the seed’s requests as written', async () => {
    const q = '/api/v1/queues/business-discovery';
    expect((await conveyor.http().get(q).set(ADMIN)).status).toBe(200);
    expect((await conveyor.http().get(`${q}/jobs?status=failed&page=1&limit=50`).set(ADMIN)).status).toBe(200);
    expect((await conveyor.http().post(`${q}/pause`).set(ADMIN)).status).toBe(200);
    expect((await conveyor.http().post(`${q}/resume`).set(ADMIN)).status).toBe(200);
    const clean = await conveyor.http().post(`${q}/clean`).set(ADMIN).send({ olderThan: 86400000, status: 'completed' });
    expect(clean.status).toBe(200);
    expect((await conveyor.http().get(`${q}/metrics?hours=24`).set(ADMIN)).status).toBe(200);
  });

  it('Get Scheduler Stats: scheduledJobsCount, scheduledJobs, queueHealth, uptime, lastHealthCheck', async () => {
    await waitFor(async () => (await conveyor.http().get('/api/v1/scheduler/stats').set(ADMIN)).body.data?.scheduledJobsCount >= 5, {
      what: 'the system schedules to be seeded',
    });
    const res = await conveyor.http().get('/api/v1/scheduler/stats').set(ADMIN);
    expect(res.body.data).toMatchObject({
      scheduledJobsCount: expect.any(Number),
      scheduledJobs: expect.arrayContaining(['cleanup-expired-jobs', 'health-check-services', 'update-queue-stats']),
      uptime: expect.any(Number),
    });
    expect(res.body.data.scheduledJobs).toHaveLength(res.body.data.scheduledJobsCount);
    expect(res.body.data.queueHealth).toEqual(
      expect.arrayContaining([
        {
          name: 'business-discovery',
          healthStatus: expect.stringMatching(/^(healthy|warning|error)$/),
          processingRate: expect.any(Number),
          totalJobs: expect.any(Number),
        },
      ]),
    );
    // Every 5 minutes by its cron (HEALTH_CHECK_INTERVAL_MINUTES=5); an admin's trigger is a health check too.
    const triggeredAt = Date.now();
    expect((await conveyor.http().post('/api/v1/scheduler/jobs/health-check-services/trigger').set(ADMIN)).status).toBe(201);
    const checked = await waitFor(
      async () => {
        const stats = (await conveyor.http().get('/api/v1/scheduler/stats').set(ADMIN)).body.data;
        return stats?.lastHealthCheck && Date.parse(stats.lastHealthCheck) >= triggeredAt ? stats : undefined;
      },
      { what: 'lastHealthCheck to show the triggered health check' },
    );
    expect(checked.lastHealthCheck).toMatch(ISO);
    expect(Date.parse(checked.lastHealthCheck)).toBeLessThanOrEqual(Date.now());
    // CLEANUP_INTERVAL_HOURS=24 and HEALTH_CHECK_INTERVAL_MINUTES=5 set the system schedules.
    const crons = Object.fromEntries(res.body.data.items.map((s: { name: string; cron: string }) => [s.name, s.cron]));
    expect(crons).toMatchObject({ 'cleanup-expired-jobs': '17 0 * * *', 'health-check-services': '*/5 * * * *' });
  });

  it('Schedule Delayed Job: the seed’s body (queue, videoId, analysisType, delayMs)', async () => {
    const res = await conveyor
      .http()
      .post('/api/v1/scheduler/delayed')
      .set(USER)
      .send({
        queue: 'video-analysis',
        type: 'analyze-video-content',
        data: { videoId: 'video123', analysisType: 'comprehensive' },
        delayMs: 300000,
      });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ queue: 'video-analysis', type: 'analyze-video-content', status: 'delayed' });
  });

  it('Schedule Repeating Job (admin): cronExpression, the cleanup queue, no name; a run cleans with its olderThanDays', async () => {
    const body = {
      queue: 'cleanup',
      type: 'cleanup-expired-jobs',
      data: { olderThanDays: 30 },
      cronExpression: '0 2 * * *',
      description: 'Daily cleanup of expired jobs',
    };
    expect((await conveyor.http().post('/api/v1/scheduler/repeating').set(USER).send(body)).status).toBe(403);
    const res = await conveyor.http().post('/api/v1/scheduler/repeating').set(ADMIN).send(body);
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      type: 'cleanup-expired-jobs',
      task: true,
      system: false,
      data: { olderThanDays: 30 },
      cron: '0 2 * * *',
      description: 'Daily cleanup of expired jobs',
    });
    const name = res.body.data.name as string;
    expect(name).toMatch(/^cleanup-expired-jobs-[0-9a-f]{8}$/);
    // The same request again is the same schedule.
    expect((await conveyor.http().post('/api/v1/scheduler/repeating').set(ADMIN).send(body)).status).toBe(409);

    // Trigger Manual Job: one run of the task, with the schedule's options.
    const run = await conveyor.http().post(`/api/v1/scheduler/jobs/${name}/trigger`).set(ADMIN);
    expect(run.status).toBe(201);
    const maintenance = conveyor.app.get(QueueRegistry).get('maintenance');
    const result = await waitFor(
      async () => {
        const job = await maintenance.getJob(run.body.data.jobId);
        return job?.finishedOn ? job.returnvalue : undefined;
      },
      { what: 'the triggered cleanup to run' },
    );
    expect(result).toMatchObject({ olderThanDays: 30 });

    const unknownOption = await conveyor
      .http()
      .post('/api/v1/scheduler/repeating')
      .set(ADMIN)
      .send({ ...body, data: { olderThanWeeks: 4 } });
    expect(unknownOption.status).toBe(400);
  });

  it('System Health: status, timestamp, uptime, checks and details as the seed shows them', async () => {
    const res = await conveyor.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: expect.stringMatching(/^(healthy|degraded)$/),
      timestamp: expect.stringMatching(ISO),
      uptime: expect.any(Number),
      checks: { database: true, redis: true, queues: expect.any(Boolean), memory: true },
      details: {
        queues: expect.any(Number),
        memory: { heapUsed: expect.any(Number), heapTotal: expect.any(Number), usage: expect.stringMatching(/^\d+\.\d{2}%$/) },
      },
    });
  });

  it('Detailed Health, Queue Health Summary and System Metrics', async () => {
    const detailed = await conveyor.http().get('/health/detailed').set(ADMIN);
    expect(detailed.body.data.memory).toMatchObject({ heapUsed: expect.any(Number), rss: expect.any(Number), alert: false });
    const health = await conveyor.http().get('/api/v1/scheduler/health').set(ADMIN);
    expect(health.status).toBe(200);
    expect(health.body.data.queueHealth).toMatchObject({
      healthy: expect.any(Number),
      warning: expect.any(Number),
      error: expect.any(Number),
    });
    const metrics = await conveyor.http().get('/api/v1/scheduler/metrics').set(ADMIN);
    expect(metrics.status).toBe(200);
    expect(metrics.body.data.system).toMatchObject({
      memory: { heapUsed: expect.any(Number) },
      cpu: { userMs: expect.any(Number) },
      redis: { connectedClients: expect.any(Number) },
    });
    const discovery = metrics.body.data.queues.find((q: { name: string }) => q.name === 'business-discovery');
    expect(discovery.lastHour.completed).toBeGreaterThanOrEqual(1);
    expect(discovery.successRate).toBeGreaterThan(0);
  });

  it('reads `stalled` for an active job whose worker died (its lock expired, no stall check has run yet)', async () => {
    const res = await createJob({
      type: 'http.request',
      data: { url: target.url('/hang'), method: 'GET' },
      options: { attempts: 1, timeout: 2_000 },
    });
    const jobId = res.body.data.jobId as string;
    await waitFor(async () => (await jobRead(jobId)).status === 'active', { what: 'the job to start' });
    await conveyor.workers[0].kill(); // SIGKILL: nobody renews the lock, and no worker checks for stalls
    const stalled = await waitFor(
      async () => {
        const job = await jobRead(jobId);
        return job.status === 'stalled' ? job : undefined;
      },
      { what: 'the lock to expire' },
    );
    expect(stalled.conveyorStatus).toBe('active');
    // A worker back: Bull's stall check takes the job back, and it ends.
    await conveyor.startWorker();
    const job = await ended(jobId);
    expect(job.status).toBe('failed');
  });
});

/** DEFAULT_JOB_DELAY holds back the job API's submissions that give no delay, and nothing else. */
describe("Seed 004's DEFAULT_JOB_DELAY", () => {
  let conveyor: Conveyor;

  beforeAll(async () => {
    conveyor = await Conveyor.start({ workers: 0, env: { DEFAULT_JOB_DELAY: '3600000' } });
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  const submit = (options?: object) =>
    conveyor
      .http()
      .post('/api/v1/jobs')
      .set(USER)
      .send({ type: 'http.request', data: { url: 'http://127.0.0.1:9/', method: 'GET' }, ...(options ? { options } : {}) });

  it('delays a submission without a delay, and leaves one that says its own', async () => {
    expect((await submit()).body.data.status).toBe('delayed');
    expect((await submit({ delay: 0 })).body.data.status).toBe('waiting');
    const plan = await conveyor
      .http()
      .post('/api/v1/jobs?dryRun=true')
      .set(USER)
      .send({ type: 'http.request', data: { url: 'http://127.0.0.1:9/', method: 'GET' } });
    expect(plan.body.data.delayMs).toBe(3_600_000);
  });

  it("never holds back a product's own route (seed 002's POST /api/v1/analysis)", async () => {
    const res = await conveyor
      .http()
      .post('/api/v1/analysis')
      .set(USER)
      .send({ video_id: 'v-default-delay', video_url: 'http://127.0.0.1:9/video.mp4' });
    expect(res.status).toBe(201);
    expect(res.body.data.status).toBe('queued');
    const job = (await conveyor.http().get(`/api/v1/jobs/${res.body.data.job_id}`).set(USER)).body.data;
    expect(job.conveyorStatus).toBe('waiting');
  });
});

/** DEFAULT_JOB_ATTEMPTS sets every job queue's default attempts, within its cap; Conveyor's own queues keep theirs. */
describe("Seed 004's DEFAULT_JOB_ATTEMPTS", () => {
  let conveyor: Conveyor;

  beforeAll(async () => {
    conveyor = await Conveyor.start({ workers: 0, env: { DEFAULT_JOB_ATTEMPTS: '7', ADMIN_API_TOKEN: ADMIN_TOKEN } });
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  const retryAttempts = async (http: () => ReturnType<Conveyor['http']>) => {
    const res = await http().get('/api/v1/queues').set(ADMIN);
    expect(res.status).toBe(200);
    return Object.fromEntries(
      res.body.data.map((q: { name: string; configuration: { retryAttempts: number } }) => [q.name, q.configuration.retryAttempts]),
    );
  };

  it("replaces a queue's own default in its configuration, up to the queue's cap, and leaves webhooks alone", async () => {
    const unset = await conveyor.extraApi({ DEFAULT_JOB_ATTEMPTS: undefined });
    // The queues' own defaults, as the same deployment shows them without the setting.
    expect(await retryAttempts(unset.http)).toMatchObject({ http: 3, 'instagram-detection': 5, 'amb-jobs': 2, webhooks: 3 });
    expect(await retryAttempts(() => conveyor.http())).toMatchObject({
      http: 7,
      'instagram-detection': 7,
      // Its cap is 5 attempts.
      'amb-jobs': 5,
      // Deliveries' attempts are WEBHOOK_ATTEMPTS'.
      webhooks: 3,
    });
  });

  it('gives a job submitted without attempts that many, while a submission’s own attempts still win', async () => {
    const jobOf = async (options?: object) => {
      const res = await conveyor
        .http()
        .post('/api/v1/jobs')
        .set(USER)
        .send({ type: 'http.request', data: { url: 'http://127.0.0.1:9/', method: 'GET' }, ...(options ? { options } : {}) });
      expect(res.status).toBe(201);
      return (await conveyor.http().get(`/api/v1/jobs/${res.body.data.jobId}`).set(USER)).body.data;
    };
    expect(await jobOf()).toMatchObject({ maxAttempts: 7, attempts: 0 });
    expect((await jobOf({ attempts: 2 })).maxAttempts).toBe(2);
  });
});
