import { SERVICE_QUEUES, QueueName } from '@conveyor/contracts';
import { jobCatalog } from '@conveyor/products';
import { spawnSync } from 'node:child_process';
import { QueueMetrics } from '@conveyor/queueing';
import { Conveyor } from '../support/conveyor';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WORKER_MAIN } from '../support/paths';
import { freePort } from '../support/ports';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';
import { WorkerProcess } from '../support/worker-process';

/** Every queue a worker consumes: the job types' queues and the service queues, by name. */
const ALL_QUEUES = [...jobCatalog.queues(), QueueName.Maintenance, QueueName.Webhooks].sort();

const ADMIN_TOKEN = 'admin-token-for-observability-e2e';
const METRICS_TOKEN = 'metrics-token-for-observability-e2e';
const USER = 'operator';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const NOT_ADMIN = { 'x-user-id': 'someone' };

/** The value of a Prometheus sample whose labels include `labels` (summed if several match), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

/** The JSON log lines of a child process (its stdout and stderr), parsed; other lines skipped. */
function jsonLines(output: string): any[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

describe('Observability: metrics, detailed health, dashboard, logs', () => {
  let conveyor: Conveyor;
  let target: TargetServer;
  let worker: WorkerProcess;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    target = await TargetServer.start();
    target.respond((req, res) => {
      if (req.url === '/fails') res.statusCode = 500;
      res.end('ok');
    });
    conveyor = await Conveyor.start({
      workers: 0,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        METRICS_TOKEN,
        WEBHOOK_SIGNING_SECRET: 'service-signing-secret-0001',
        // Tests below poll admin routes; the limit itself is tested elsewhere.
        THROTTLE_ADMIN_LIMIT: '100000',
      },
    });
    const port = await freePort();
    worker = await conveyor.startWorker({ WORKER_METRICS_PORT: String(port) });
    workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const queue = () => conveyor.queue(QueueName.Http);

  const submit = async (path: string, extra: object = {}) => {
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', USER)
      .send({ type: 'http.request', data: { url: target.url(path), method: 'GET' }, ...extra });
    expect(res.status).toBe(201);
    return res.body.data.jobId as string;
  };

  const detailedHealth = async () => {
    const res = await conveyor.http().get('/health/detailed').set(ADMIN);
    expect(res.status).toBe(200);
    return res.body.data;
  };
  const queueHealth = (report: any, name: string) => report.queues.find((q: any) => q.name === name);

  const scrapeWorker = async (headers: Record<string, string> = { authorization: `Bearer ${METRICS_TOKEN}` }) => {
    const res = await fetch(workerMetricsUrl, { headers });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it("answers the worker's liveness probe on its metrics port, without a token", async () => {
    const res = await fetch(workerMetricsUrl.replace('/metrics', '/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, data: { status: 'ok' } });
    // The worker image's own HEALTHCHECK, run as Docker would (node -e …), passes against it, and fails with no worker there.
    const dockerfile = readFileSync(join(ROOT, 'docker/worker.Dockerfile'), 'utf8');
    const script = /^HEALTHCHECK [^\n]*\\\n\s*CMD node -e "(.+)"$/m.exec(dockerfile)?.[1];
    expect(script).toBeDefined();
    const probe = (env: Record<string, string>) => spawnSync(process.execPath, ['-e', script!], { env, timeout: 10_000 }).status;
    const port = new URL(workerMetricsUrl).port;
    expect(probe({ WORKER_METRICS_PORT: port })).toBe(0);
    expect(probe({ WORKER_METRICS_PORT: port, WORKER_METRICS_HOST: '0.0.0.0' })).toBe(0);
    expect(probe({ WORKER_METRICS_PORT: port, WORKER_METRICS_HOST: '127.0.0.1' })).toBe(0);
    expect(probe({ WORKER_METRICS_PORT: String(await freePort()) })).toBe(1);
    expect(probe({ WORKER_METRICS_PORT: port, WORKER_METRICS_HOST: '127.0.0.2' })).toBe(1); // the worker listens on 127.0.0.1 only
    expect(probe({ WORKER_METRICS_PORT: '0' })).toBe(0); // metrics off: nothing to probe
  });

  describe('/health/detailed', () => {
    it('is for administrators only', async () => {
      const anonymous = await conveyor.http().get('/health/detailed');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ success: false, error_code: 'UNAUTHENTICATED' });
      const user = await conveyor.http().get('/health/detailed').set(NOT_ADMIN);
      expect(user.status).toBe(403);
      expect(user.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    });

    it('reports Redis with its eviction policy, MongoDB, healthy queues and the worker’s heartbeat', async () => {
      const report = await waitFor(
        async () => {
          const data = await detailedHealth();
          return data.workers?.[0]?.queues.includes(QueueName.Http) ? data : undefined;
        },
        { what: 'the worker’s heartbeat with its queues' },
      );
      expect(report).toMatchObject({
        status: 'healthy',
        reasons: [],
        redis: { status: 'up', health: 'healthy', maxmemoryPolicy: 'noeviction' },
        mongo: { status: 'up', health: 'healthy' },
      });
      expect(report.queues.map((q: any) => q.name)).toEqual(ALL_QUEUES);
      expect(queueHealth(report, QueueName.Http)).toMatchObject({
        status: 'healthy',
        reasons: [],
        counts: { waiting: 0, active: 0 },
        workers: 1,
        capacity: 10,
        stuckJobs: [],
      });
      expect(report.workers).toHaveLength(1);
      expect(report.workers[0]).toMatchObject({
        pid: worker.pid,
        queues: ALL_QUEUES,
        // Each queue's policy; the webhooks queue's comes from WEBHOOK_CONCURRENCY (20).
        concurrency: Object.fromEntries(ALL_QUEUES.map((q) => [q, q === QueueName.Webhooks ? 20 : jobCatalog.policy(q).concurrency])),
        activeJobs: Object.fromEntries(ALL_QUEUES.map((q) => [q, 0])),
      });
      // No credentials anywhere in it (RELIABILITY A8).
      expect(JSON.stringify(report)).not.toContain(conveyor.env.REDIS_URL!);
    });

    it('reports a queue with more than 100 waiting jobs as a warning', async () => {
      await queue().pause();
      try {
        const job = (i: number) => ({ type: 'http.request', data: { url: target.url(`/backlog-${i}`), method: 'GET' } });
        const bulk = await conveyor
          .http()
          .post('/api/v1/jobs/bulk')
          .set('x-user-id', USER)
          .send({ jobs: Array.from({ length: 101 }, (_, i) => job(i)) });
        expect(bulk.status).toBe(200);
        expect(bulk.body.data.accepted).toBe(101);

        const report = await detailedHealth();
        expect(report.status).toBe('warning');
        expect(queueHealth(report, QueueName.Http)).toMatchObject({
          status: 'warning',
          reasons: ['101 jobs waiting (threshold 100)'],
          counts: { waiting: 101 },
        });
        expect(queueHealth(report, QueueName.Webhooks).status).toBe('healthy');

        const metrics = await conveyor.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
        expect(sample(metrics.text, 'conveyor_queue_jobs', { queue: QueueName.Http, state: 'waiting' })).toBe(101);
      } finally {
        await queue().empty();
        await queue().resume();
      }
      expect(queueHealth(await detailedHealth(), QueueName.Http).status).toBe('healthy');
    });

    it('warns when Redis may evict keys', async () => {
      const redis = conveyor.redis.client();
      try {
        await redis.config('SET', 'maxmemory-policy', 'volatile-lru');
        const report = await detailedHealth();
        expect(report.status).toBe('warning');
        expect(report.redis).toMatchObject({ status: 'up', health: 'warning', maxmemoryPolicy: 'volatile-lru' });
        expect(report.redis.reasons[0]).toContain('noeviction');
      } finally {
        await redis.config('SET', 'maxmemory-policy', 'noeviction');
        redis.disconnect();
      }
    });
  });

  describe('/metrics', () => {
    it('exposes job outcomes, processing times and webhook deliveries on the worker, HTTP and queue depth on the API', async () => {
      const completed = await submit('/ok', { callbackUrl: target.url('/hook') });
      const failed = await submit('/fails', { options: { attempts: 2, backoff: { type: 'fixed', delay: 50 } } });
      await conveyor.waitForJob(completed, USER, (j) => j.status === 'completed');
      await conveyor.waitForJob(failed, USER, (j) => j.status === 'failed');

      const jobs = { queue: QueueName.Http, type: 'http.request' };
      const worker = await waitFor(
        async () => {
          const res = await scrapeWorker();
          const delivered = sample(res.text, 'conveyor_webhook_deliveries_total', { event: 'completed', outcome: 'delivered' });
          return sample(res.text, 'conveyor_jobs_total', { ...jobs, outcome: 'failed' }) === 1 && delivered === 1 ? res : undefined;
        },
        { what: 'the worker to count both jobs and the webhook' },
      );
      expect(worker.status).toBe(200);
      expect(worker.type).toMatch(/^text\/plain/);
      expect(sample(worker.text, 'conveyor_jobs_total', { ...jobs, outcome: 'completed' })).toBe(1);
      expect(sample(worker.text, 'conveyor_jobs_total', { ...jobs, outcome: 'retried' })).toBe(1);
      expect(sample(worker.text, 'conveyor_job_processing_seconds_count', { ...jobs, outcome: 'completed' })).toBe(1);
      expect(sample(worker.text, 'conveyor_job_processing_seconds_bucket', { ...jobs, outcome: 'completed', le: '+Inf' })).toBe(1);
      expect(
        sample(worker.text, 'conveyor_jobs_total', { queue: QueueName.Webhooks, type: 'webhook.completed', outcome: 'completed' }),
      ).toBe(1);
      expect(sample(worker.text, 'conveyor_worker_active_jobs', { queue: QueueName.Http })).toBe(0);
      expect(sample(worker.text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
      // Each job's first attempt: how long it waited; processing buckets reach hours.
      expect(sample(worker.text, 'conveyor_job_wait_seconds_count', jobs)).toBe(2);
      expect(sample(worker.text, 'conveyor_job_processing_seconds_bucket', { ...jobs, outcome: 'completed', le: '14400' })).toBe(1);
      expect(worker.text).toMatch(/^conveyor_build_info\{service="worker",version="\d+\.\d+\.\d+",node="[\d.]+"\} 1$/m);

      const api = await conveyor.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
      expect(api.status).toBe(200);
      expect(api.headers['content-type']).toMatch(/^text\/plain/);
      const submits = { method: 'POST', route: '/api/v1/jobs', status: '201' };
      expect(sample(api.text, 'conveyor_http_requests_total', submits)).toBe(2);
      expect(sample(api.text, 'conveyor_http_request_duration_seconds_count', submits)).toBe(2);
      expect(
        sample(api.text, 'conveyor_http_requests_total', { method: 'GET', route: '/api/v1/jobs/:jobId', status: '200' }),
      ).toBeGreaterThan(0);
      expect(sample(api.text, 'conveyor_queue_jobs', { queue: QueueName.Http, state: 'failed' })).toBe(1);
      expect(sample(api.text, 'conveyor_queue_jobs', { queue: QueueName.Http, state: 'waiting' })).toBe(0);
      expect(sample(api.text, 'conveyor_queue_jobs', { queue: QueueName.Webhooks, state: 'active' })).toBe(0);
      expect(sample(api.text, 'conveyor_workers_alive')).toBe(1);
      expect(sample(api.text, 'conveyor_queue_oldest_waiting_seconds', { queue: QueueName.Http })).toBe(0);
      expect(api.text).toMatch(/^conveyor_build_info\{service="api",version="\d+\.\d+\.\d+",node="[\d.]+"\} 1$/m);
    });

    it('keeps per-hour buckets in Redis that the API reads (completed, failed, retried, p95)', async () => {
      const metrics = conveyor.app.get(QueueMetrics);
      // Two buckets, in case the test runs across the top of an hour.
      const hours = await waitFor(
        async () => {
          const buckets = await metrics.hourlyBuckets(QueueName.Http, 2);
          return buckets.reduce((n, b) => n + b.completed + b.failed + b.retried, 0) === 3 ? buckets : undefined;
        },
        { what: 'the worker’s outcome counters' },
      );
      const total = (key: 'completed' | 'failed' | 'retried') => hours.reduce((n, b) => n + b[key], 0);
      expect([total('completed'), total('failed'), total('retried')]).toEqual([1, 1, 1]);
      const timed = hours.find((b) => b.completed === 1)!;
      expect(timed.p95ProcessingMs).toEqual(expect.any(Number));
      expect(timed.avgProcessingMs).toBe(timed.p95ProcessingMs);
      expect((await metrics.lastProcessedAt(QueueName.Http))?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('turns a failure rate over 10% in the last hour into an unhealthy queue', async () => {
      const http = queueHealth(await detailedHealth(), QueueName.Http);
      // 1 of 2 finished jobs failed for good: 50%, above the 25% error threshold.
      expect(http.status).toBe('error');
      expect(http.lastHour).toMatchObject({ completed: 1, failed: 1, retried: 1, failureRate: 0.5 });
      expect(http.reasons).toEqual(['50% of jobs failed in the last 60 min (1 of 2; threshold 25%)']);
    });

    it('needs METRICS_TOKEN when one is set, on the API and on the worker', async () => {
      const api = await conveyor.http().get('/metrics');
      expect(api.status).toBe(401);
      expect(api.body).toMatchObject({ success: false, error_code: 'UNAUTHENTICATED' });
      expect((await conveyor.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}x`)).status).toBe(401);
      // The admin token is not a metrics token.
      expect((await conveyor.http().get('/metrics').set(ADMIN)).status).toBe(401);

      const unauthorised = await scrapeWorker({});
      expect(unauthorised.status).toBe(401);
      expect(JSON.parse(unauthorised.text)).toMatchObject({ success: false, error_code: 'UNAUTHENTICATED' });
      expect((await scrapeWorker({ authorization: 'Bearer wrong-token' })).status).toBe(401);
    });
  });

  describe('request ids and JSON logs', () => {
    it('answers every request with an id, keeping a well-formed incoming one', async () => {
      const kept = await conveyor.http().get('/health').set('x-request-id', 'gateway-trace-0001');
      expect(kept.headers['x-request-id']).toBe('gateway-trace-0001');
      const replaced = await conveyor.http().get('/health').set('x-request-id', 'bad id <script>');
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      // Refused before routing and while reading the body: still an id, and still counted.
      expect((await conveyor.http().get('/no/such/route')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const unsupported = await conveyor.http().post('/api/v1/jobs').set('x-user-id', USER).set('content-type', 'text/plain').send('x');
      expect(unsupported.status).toBe(415);
      expect(unsupported.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const metrics = await conveyor.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
      expect(sample(metrics.text, 'conveyor_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
      expect(sample(metrics.text, 'conveyor_http_requests_total', { route: 'unmatched', status: '415' })).toBe(1);
    });

    it('logs JSON lines: the API with request ids and no credentials, the worker with job id and queue', async () => {
      const api = await conveyor.startApiProcess();
      const listening = jsonLines(api.process.logs()).find((line) => String(line.msg).startsWith('Listening on'));
      expect(listening).toMatchObject({ level: 'info', service: 'conveyor-api', context: 'API' });

      const res = await fetch(`${api.url}/health/detailed?token=secret-in-query`, {
        headers: { ...ADMIN, 'x-request-id': 'trace-for-the-logs-01' },
      });
      expect(res.status).toBe(200);
      const line = await waitFor(() => jsonLines(api.process.logs()).find((l) => l.req?.id === 'trace-for-the-logs-01'), {
        what: 'the request’s log line',
      });
      expect(line).toMatchObject({
        level: 'info',
        msg: 'request completed',
        req: { method: 'GET', path: '/health/detailed' },
        res: { statusCode: 200 },
      });
      expect(api.process.logs()).not.toContain(ADMIN_TOKEN);
      expect(api.process.logs()).not.toContain('secret-in-query');

      const workerLines = jsonLines(worker.logs());
      expect(workerLines.find((l) => l.msg === 'Worker started')).toMatchObject({ level: 'info', service: 'conveyor-worker' });
      const retry = await waitFor(() => jsonLines(worker.logs()).find((l) => l.level === 'warn' && String(l.msg).includes('will retry')), {
        what: 'a retry warning in the worker’s log',
      });
      expect(retry).toMatchObject({ queue: QueueName.Http, jobType: 'http.request', attempt: 1, context: 'JobProcessor' });
      expect(retry.jobId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
      expect(retry.msg).toContain(retry.jobId);
      // The error is a structured field (name, message, stack), not text folded into the message.
      expect(retry.err).toEqual(
        expect.objectContaining({ type: 'UnexpectedStatusError', message: expect.stringContaining('got 500'), stack: expect.any(String) }),
      );
      expect(retry.msg).not.toContain(retry.err.message);

      // The submitting request's id reaches the job's log lines.
      const traced = await conveyor
        .http()
        .post('/api/v1/jobs')
        .set({ 'x-user-id': USER, 'x-request-id': 'trace-into-the-job-01' })
        .send({
          type: 'http.request',
          data: { url: target.url('/fails'), method: 'GET' },
          options: { attempts: 2, backoff: { type: 'fixed', delay: 50 } },
        });
      const jobLine = await waitFor(() => jsonLines(worker.logs()).find((l) => l.jobId === traced.body.data.jobId && l.level === 'warn'), {
        what: 'the traced job’s log line',
      });
      expect(jobLine.requestId).toBe('trace-into-the-job-01');

      // Nothing else: every line either process wrote (stdout and stderr) is a JSON object.
      for (const output of [worker.logs(), api.process.logs()]) {
        expect(output.split('\n').filter((line) => line.trim() !== '' && !isJsonObject(line))).toEqual([]);
      }
    });
  });

  describe('queue dashboard', () => {
    const routes: Array<['get' | 'put', string]> = [
      ['get', '/admin/queues'],
      ['get', '/admin/queues/api/queues'],
      ['put', '/admin/queues/api/queues/http/pause'],
      ['put', '/admin/queues/api/queues/http/clean/failed'],
    ];

    /**
     * A failed job in Bull's failed set, so the board's clean has something to remove. The board
     * cleans with a 5 s grace period, so the job is dated as finished a minute ago.
     */
    const failedJobInBull = async () => {
      const jobId = await submit('/fails', { options: { attempts: 1 } });
      const job = await waitFor(
        async () => {
          const found = await queue().getJob(jobId);
          return found?.failedReason ? found : null;
        },
        { what: `job ${jobId} to fail` },
      );
      const aMinuteAgo = String(Date.now() - 60_000);
      await queue().client.hset(queue().toKey(jobId), 'finishedOn', aMinuteAgo, 'processedOn', aMinuteAgo, 'timestamp', aMinuteAgo);
      return job;
    };

    it.each(routes)('%s %s answers 401 without credentials and 403 to a non-admin', async (method, path) => {
      const failed = await failedJobInBull();
      const anonymous = await conveyor.http()[method](path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ success: false, error_code: 'UNAUTHENTICATED' });
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic /);
      const wrongToken = await conveyor.http()[method](path).set('authorization', 'Bearer not-the-admin-token');
      expect(wrongToken.status).toBe(401);
      const user = await conveyor.http()[method](path).set(NOT_ADMIN);
      expect(user.status).toBe(403);
      expect(user.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
      // Nothing happened: the queue was never paused, nor its failed jobs cleaned.
      expect(await queue().isPaused()).toBe(false);
      expect(await queue().getJob(failed.id)).not.toBeNull();
    });

    it('serves the board and its API to an admin (bearer token or Basic); actions only on service queues', async () => {
      const page = await conveyor.http().get('/admin/queues').set(ADMIN);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('<base href="/admin/queues/"');
      const asset = /href="(static\/[^"]+\.css)"/.exec(page.text)![1];
      expect((await conveyor.http().get(`/admin/queues/${asset}`).set(ADMIN)).status).toBe(200);
      expect((await conveyor.http().get(`/admin/queues/${asset}`)).status).toBe(401);
      expect((await conveyor.http().get('/admin/queues').auth('ops', ADMIN_TOKEN)).status).toBe(200);
      expect((await conveyor.http().get('/admin/queues').auth('ops', `${ADMIN_TOKEN}x`)).status).toBe(401);

      const api = await conveyor.http().get('/admin/queues/api/queues').set(ADMIN);
      expect(api.status).toBe(200);
      expect(api.body.queues.map((q: any) => q.name).sort()).toEqual(ALL_QUEUES);
      // Job-type queues are read-only on the board: their operations are the API's, which keep
      // the records in step. Service queues (no records) keep the board's actions.
      const serviceQueue = (q: string) => SERVICE_QUEUES.some((name) => name === q);
      expect(Object.fromEntries(api.body.queues.map((q: any) => [q.name, [q.readOnlyMode, q.allowRetries]]))).toEqual(
        Object.fromEntries(ALL_QUEUES.map((q) => [q, [!serviceQueue(q), serviceQueue(q)]])),
      );
      const refused = await conveyor.http().put('/admin/queues/api/queues/http/pause').set(ADMIN);
      expect(refused.status).toBe(405);
      expect(await queue().isPaused()).toBe(false);
      const failed = await failedJobInBull();
      expect((await conveyor.http().put('/admin/queues/api/queues/http/clean/failed').set(ADMIN)).status).toBe(405);
      expect(await queue().getJob(failed.id)).not.toBeNull();

      const webhooks = conveyor.queue(QueueName.Webhooks);
      const paused = await conveyor.http().put(`/admin/queues/api/queues/${QueueName.Webhooks}/pause`).set(ADMIN);
      expect(paused.status).toBeLessThan(300);
      expect(await webhooks.isPaused()).toBe(true);
      const resumed = await conveyor.http().put(`/admin/queues/api/queues/${QueueName.Webhooks}/resume`).set(ADMIN);
      expect(resumed.status).toBeLessThan(300);
      expect(await webhooks.isPaused()).toBe(false);
    });

    it('is rate-limited as an admin route: 429 past THROTTLE_ADMIN_LIMIT, counted with the admin API', async () => {
      // Its own key prefix, so its counters start at zero whatever the other tests did.
      const strict = await conveyor.extraApi({ THROTTLE_ADMIN_LIMIT: '3', ...conveyor.otherDeployment('dashboard-throttle') });
      const page = await strict.http().get('/admin/queues').set(ADMIN);
      expect(page.status).toBe(200);
      const asset = /href="(static\/[^"]+\.css)"/.exec(page.text)![1];
      expect((await strict.http().get('/admin/queues/api/queues').set(ADMIN)).status).toBe(200);
      expect((await strict.http().get('/api/v1/queues').set(ADMIN)).status).toBe(200);
      const limited = await strict.http().get('/admin/queues/api/queues').set(ADMIN);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ success: false, error_code: 'RATE_LIMITED' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // One counter with the admin API, not a second limiter.
      expect((await strict.http().get('/api/v1/queues').set(ADMIN)).status).toBe(429);
      // The board's static files are not counted.
      expect((await strict.http().get(`/admin/queues/${asset}`).set(ADMIN)).status).toBe(200);
      // Bad credentials are limited too (per client IP), before the gate answers 401.
      const guesses = [];
      for (let i = 0; i < 4; i++) guesses.push((await strict.http().get('/admin/queues').auth('ops', `guess-${i}`)).status);
      expect(guesses).toEqual([401, 401, 401, 429]);
    });

    it('counts wrong passwords tried on its static files against the admin limit too', async () => {
      // Its own key prefix, so its counters start at zero whatever the other tests did.
      const strict = await conveyor.extraApi({ THROTTLE_ADMIN_LIMIT: '3', ...conveyor.otherDeployment('dashboard-static-throttle') });
      const asset = /href="(static\/[^"]+\.css)"/.exec((await conveyor.http().get('/admin/queues').set(ADMIN)).text)![1];
      const guesses = [];
      for (let i = 0; i < 5; i++) guesses.push((await strict.http().get(`/admin/queues/${asset}`).auth('ops', `guess-${i}`)).status);
      expect(guesses).toEqual([401, 401, 401, 429, 429]);
      // An administrator's requests for them are still not counted, by bearer token or Basic.
      expect((await strict.http().get(`/admin/queues/${asset}`).set(ADMIN)).status).toBe(200);
      expect((await strict.http().get(`/admin/queues/${asset}`).auth('ops', ADMIN_TOKEN)).status).toBe(200);
    });

    it('never shows callback secrets in job data', async () => {
      const jobId = await submit('/ok', { callbackUrl: target.url('/hook'), callbackSecret: 'caller-own-secret-0123456789' });
      await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
      const res = await conveyor.http().get(`/admin/queues/api/queues/http/${jobId}`).set(ADMIN);
      expect(res.status).toBe(200);
      expect(res.body.job.data.callback).toMatchObject({ url: target.url('/hook'), secret: '[redacted]' });
      expect(JSON.stringify(res.body)).not.toContain('caller-own-secret-0123456789');
    });
  });

  describe('worker lifecycle', () => {
    it('refuses to start a second worker on a metrics port in use, naming the setting', () => {
      const run = spawnSync(process.execPath, [WORKER_MAIN], {
        env: { ...conveyor.env, WORKER_METRICS_PORT: new URL(workerMetricsUrl).port },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`WORKER_METRICS_PORT ${new URL(workerMetricsUrl).port} on 127.0.0.1 is unavailable (EADDRINUSE)`);
    });

    it('drops a stopping worker’s heartbeat at once', async () => {
      worker.signal('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      const report = await detailedHealth();
      expect(report.workers).toEqual([]);
      expect(report.reasons).toEqual(['no live worker heartbeats']);
      expect(queueHealth(report, QueueName.Http)).toMatchObject({ workers: 0, capacity: 0 });
    });
  });

  // Last: its job completes after the outcome counts the tests above assert.
  it('reports the age of the job next in line on a queue nobody takes from', async () => {
    await queue().pause();
    try {
      const jobId = await submit('/ok');
      const api = await waitFor(
        async () => {
          const res = await conveyor.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
          return sample(res.text, 'conveyor_queue_oldest_waiting_seconds', { queue: QueueName.Http })! > 0 ? res : undefined;
        },
        { what: 'the waiting job to age' },
      );
      const record = await conveyor.record(jobId);
      const age = sample(api.text, 'conveyor_queue_oldest_waiting_seconds', { queue: QueueName.Http })!;
      expect(age).toBeLessThan((Date.now() - record!.createdAt.getTime()) / 1000 + 1);
    } finally {
      await queue().resume();
    }
  });
});
