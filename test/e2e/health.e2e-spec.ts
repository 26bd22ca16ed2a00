import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/paths';
import { jobCatalog } from '@conveyor/products';
import { QueueName } from '@conveyor/contracts';
import { Conveyor } from '../support/conveyor';
import { MongoServer } from '../support/mongo-server';
import { waitFor } from '../support/wait-for';

describe('Health, API docs and process roles', () => {
  let conveyor: Conveyor;

  beforeAll(async () => {
    conveyor = await Conveyor.start({ workers: 1 });
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  it('reports Redis and MongoDB up', async () => {
    const res = await conveyor.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, data: { status: 'ok', info: { redis: { status: 'up' }, mongo: { status: 'up' } } } });
    // Seed 004's shape beside the envelope.
    expect(res.body).toMatchObject({
      status: expect.stringMatching(/^(healthy|degraded)$/),
      checks: { database: true, redis: true, memory: true },
      details: { queues: expect.any(Number), memory: { heapUsed: expect.any(Number), heapTotal: expect.any(Number) } },
    });
    expect(res.body.details.memory.usage).toMatch(/^\d+\.\d{2}%$/);
    expect(Date.parse(res.body.timestamp)).not.toBeNaN();
    expect(Number.isInteger(res.body.uptime)).toBe(true);
  });

  it("passes Redocly's recommended rules with no error, names its operations as a client reads them, and states how each is called", async () => {
    const document = (await conveyor.http().get('/docs-json')).body;
    const file = join(mkdtempSync(join(tmpdir(), 'conveyor-openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const lint = spawnSync(join(ROOT, 'node_modules/.bin/redocly'), ['lint', '--extends', 'recommended', '--format=summary', file], {
      encoding: 'utf8',
      // No telemetry or update check from a test run.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    expect({ status: lint.status, output: lint.status === 0 ? '' : lint.stdout + lint.stderr }).toEqual({ status: 0, output: '' });
    const operations = Object.values(document.paths).flatMap((item: any) => Object.values(item)) as any[];
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['submitJob', 'getJob', 'cancelJob', 'retryJob', 'listJobs', 'watchJob', 'listQueues']));
    expect(ids.filter((id) => /Controller_/.test(id))).toEqual([]);
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      'adminToken',
      'gatewaySecret',
      'jwt',
      'metricsToken',
      'sessionId',
      'userId',
    ]);
    expect(document.security).toEqual([{ userId: [] }, { sessionId: [] }, { adminToken: [] }, { jwt: [] }]);
    expect(document.paths['/api/v1/queues'].get.security).toEqual([{ adminToken: [] }, { jwt: [] }, { userId: [], gatewaySecret: [] }]);
    expect(document.paths['/metrics'].get.security).toEqual([{}, { metricsToken: [] }]);
    expect(document.servers).toEqual([{ url: '/', description: 'This API' }]);
    expect(document.paths['/health'].get.security).toEqual([]);
    // Each error status shows an example of each code it carries; answers document their headers.
    const submit = document.paths['/api/v1/jobs'].post;
    const tooMany = submit.responses['429'].content['application/json'].examples;
    expect(Object.values(tooMany).map((e: any) => e.value.error_code)).toEqual(Object.keys(tooMany));
    expect(Object.keys(submit.responses['400'].content['application/json'].examples)).toContain('VALIDATION_FAILED');
    expect(Object.keys(submit.responses['201'].headers)).toEqual(
      expect.arrayContaining(['X-Request-Id', 'Location', 'Idempotent-Replayed']),
    );
    expect(Object.keys(submit.responses['429'].headers)).toContain('Retry-After');
    // Every error answer of every operation shows an example of each code it carries, with that code.
    const misdocumented: string[] = [];
    for (const [path, item] of Object.entries<any>(document.paths)) {
      if (path.startsWith('/health')) continue; // a probe's 503 is its health report, not an error envelope
      for (const [method, op] of Object.entries<any>(item)) {
        for (const [status, response] of Object.entries<any>(op.responses)) {
          if (Number(status) < 400) continue;
          const examples = response.content?.['application/json']?.examples;
          if (!examples) misdocumented.push(`${method} ${path} ${status}: no example`);
          for (const [code, example] of Object.entries<any>(examples ?? {}))
            if (example.value?.error_code !== code)
              misdocumented.push(`${method} ${path} ${status}: ${code} shows ${example.value?.error_code}`);
        }
      }
    }
    expect(misdocumented).toEqual([]);
  }, 60_000);

  it('serves the OpenAPI document with every route and the per-type payload schemas', async () => {
    const res = await conveyor.http().get('/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/jobs',
        '/api/v1/jobs/bulk',
        '/api/v1/jobs/user/{userId}',
        '/api/v1/jobs/{jobId}',
        '/api/v1/jobs/{jobId}/status',
        '/api/v1/jobs/{jobId}/events',
        '/api/v1/jobs/{jobId}/cancel',
        '/api/v1/jobs/{jobId}/retry',
        '/api/v1/jobs/{jobId}/priority',
        '/api/v1/jobs/{jobId}/webhooks',
        '/health',
      ]),
    );
    // Every job route states its responses with schemas, including the error envelope.
    for (const [path, item] of Object.entries(res.body.paths as Record<string, Record<string, { responses: object }>>)) {
      if (!path.startsWith('/api/v1/jobs')) continue;
      for (const operation of Object.values(item)) expect(Object.keys(operation.responses).length).toBeGreaterThanOrEqual(2);
    }
    expect(res.body.components.schemas.HttpRequestPayload.required).toEqual(['url', 'method']);
    const submit = res.body.components.schemas.SubmitJobRequest;
    // Every type a client may submit, and none a product starts itself (content_generation).
    const submittable = jobCatalog.clientSubmittable();
    expect(submit.properties.data.oneOf).toEqual(submittable.map((d) => ({ $ref: `#/components/schemas/${d.payload.name}` })));
    expect(submit.properties.type.enum).toEqual(submittable.map((d) => d.type));
    expect(submit.properties.type.enum).toEqual(expect.arrayContaining(['http.request', 'website_analysis', 'video.analysis']));
    expect(submit.properties.type.enum).not.toContain('content_generation');
    // A type that declares its result has it documented where the job's result is read.
    const result = res.body.components.schemas.JobResponse.properties.result;
    expect(result.anyOf).toEqual(
      expect.arrayContaining([
        { $ref: '#/components/schemas/WebsiteAnalysisResult' },
        { $ref: '#/components/schemas/ContentGenerationResult' },
      ]),
    );
    expect(res.body.components.schemas.ContentGenerationPayload.required).toEqual(['topic']);
    expect(res.body.paths['/api/v1/jobs/website-analysis'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/WebsiteAnalysisPayload',
    });
    expect((await conveyor.http().get('/docs')).status).toBe(200);
  });

  it('serves the docs to administrators only in production (API_DOCS=admin), and not at all when off', async () => {
    const adminToken = 'docs-admin-token-0123456789abcdef';
    const production = await conveyor.extraApi({ NODE_ENV: 'production', ADMIN_API_TOKEN: adminToken });
    for (const path of ['/docs', '/docs-json']) {
      const anonymous = await production.http().get(path);
      expect([path, anonymous.status, anonymous.body.error_code]).toEqual([path, 401, 'UNAUTHENTICATED']);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="Conveyor API docs"/);
      const user = await production.http().get(path).set('x-user-id', 'curious');
      expect([path, user.status, user.body.error_code]).toEqual([path, 403, 'FORBIDDEN']);
    }
    const json = await production.http().get('/docs-json').set('authorization', `Bearer ${adminToken}`);
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    // A browser signs in with Basic: any user name, the admin token as password.
    expect((await production.http().get('/docs').auth('ops', adminToken)).status).toBe(200);

    const off = await conveyor.extraApi({ API_DOCS: 'off' });
    expect((await off.http().get('/docs-json')).status).toBe(404);
    expect((await off.http().get('/docs')).status).toBe(404);
  });

  it('registers no consumer in the API process: only the worker holds a blocking Bull connection', async () => {
    const queue = conveyor.queue(QueueName.Http);
    expect(Object.keys((queue as unknown as { handlers: object }).handlers)).toEqual([]);
    const redis = conveyor.redis.client();
    try {
      const names = ((await redis.client('LIST')) as string)
        .split('\n')
        .map((line) => /name=(\S*)/.exec(line)?.[1])
        .filter(Boolean);
      expect(names).toContain('conveyor-producer-client');
      expect(names).toContain('conveyor-worker-client');
      // Bull names each blocking connection after its queue; one worker process means exactly one.
      const blockingOnHttp = `conveyor:${Buffer.from(QueueName.Http).toString('base64')}`;
      expect(names.filter((n) => n === blockingOnHttp)).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  it('judges queues by the HEALTH_* thresholds of its configuration', async () => {
    const adminToken = 'health-thresholds-admin-token-01';
    const strict = await conveyor.extraApi({ ADMIN_API_TOKEN: adminToken, HEALTH_QUEUE_DEPTH_WARNING: '1' });
    const queue = conveyor.queue(QueueName.Http);
    await queue.pause();
    try {
      await conveyor.submitHttpJob('thresholds', 'http://127.0.0.1:9/a');
      await conveyor.submitHttpJob('thresholds', 'http://127.0.0.1:9/b');
      const res = await strict.http().get('/health/detailed').set('authorization', `Bearer ${adminToken}`);
      expect(res.body.data.thresholds.queueDepthWarning).toBe(1);
      const http = res.body.data.queues.find((q: { name: string }) => q.name === QueueName.Http);
      expect(http).toMatchObject({ counts: { waiting: 2 }, status: 'warning', reasons: ['2 jobs waiting (threshold 1)'] });
    } finally {
      await queue.empty();
      await queue.resume();
    }
  });

  it('turns 503 with the error envelope while Redis is unreachable, and recovers with it', async () => {
    await conveyor.redis.stop();
    const down = await waitFor(
      async () => {
        const res = await conveyor.http().get('/health');
        return res.status === 503 ? res : undefined;
      },
      { what: '/health to report Redis down' },
    );
    expect(down.body).toMatchObject({ success: false, error_code: 'SERVICE_UNAVAILABLE', detail: 'Unhealthy: redis unreachable' });
    expect(down.body.details).toMatchObject({ redis: { status: 'down' }, mongo: { status: 'up' } });
    expect(down.body).toMatchObject({ status: 'unhealthy', checks: { database: true, redis: false } });

    // A submission while Redis is down is refused promptly, not left hanging or answered 500.
    const submit = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set('x-user-id', 'u')
      .send({ type: 'http.request', data: { url: 'http://127.0.0.1:9/', method: 'GET' } });
    expect(submit.status).toBe(503);
    expect(submit.body.error_code).toBe('QUEUE_UNAVAILABLE');

    await conveyor.redis.restart();
    await waitFor(async () => (await conveyor.http().get('/health')).status === 200, { what: '/health to recover', timeoutMs: 20_000 });
  });
});

/** Seed 004's other two words: `degraded` (a queue in error) and `unhealthy` with the database down. */
describe('Health on a database of its own', () => {
  let mongo: MongoServer;
  let conveyor: Conveyor;

  beforeAll(async () => {
    mongo = await MongoServer.start();
    // No worker: a waiting job is then a queue in error ("no live worker consumes this queue").
    conveyor = await Conveyor.start({ workers: 0, env: { MONGO_URL: mongo.url('conveyor_health') } });
  }, 120_000);

  afterAll(async () => {
    await mongo?.restart(); // in case a test left it stopped: close() drops the database
    await conveyor?.close();
    await mongo?.destroy();
  });

  const health = () => conveyor.http().get('/health');

  it('answers 200 degraded while a queue is in error, database and Redis up', async () => {
    const idle = await health();
    expect(idle.status).toBe(200);
    expect(idle.body).toMatchObject({ status: 'healthy', checks: { database: true, redis: true, queues: true, memory: true } });

    await conveyor.submitHttpJob('degraded', 'http://127.0.0.1:9/');
    // Queue health is judged at most every 10 s.
    const degraded = await waitFor(
      async () => {
        const res = await health();
        return res.body.status === 'degraded' ? res : undefined;
      },
      { what: '/health to report the queue in error', timeoutMs: 20_000 },
    );
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ success: true, checks: { database: true, redis: true, queues: false, memory: true } });
  });

  it('turns 503 unhealthy with checks.database false while MongoDB is down, and recovers with it', async () => {
    await mongo.stop(); // SIGKILL
    const down = await waitFor(
      async () => {
        const res = await health();
        return res.status === 503 ? res : undefined;
      },
      { what: '/health to report MongoDB down' },
    );
    expect(down.body).toMatchObject({ success: false, error_code: 'SERVICE_UNAVAILABLE', detail: 'Unhealthy: mongo unreachable' });
    expect(down.body.details).toMatchObject({ mongo: { status: 'down' }, redis: { status: 'up' } });
    expect(down.body).toMatchObject({ status: 'unhealthy', checks: { database: false, redis: true } });
    expect(Date.parse(down.body.timestamp)).not.toBeNaN();

    await mongo.restart();
    const back = await waitFor(
      async () => {
        const res = await health();
        return res.status === 200 ? res : undefined;
      },
      { what: '/health to recover', timeoutMs: 30_000 },
    );
    expect(back.body.checks).toMatchObject({ database: true, redis: true });
  });
});
