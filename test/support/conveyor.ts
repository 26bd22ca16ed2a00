import { INestApplication } from '@nestjs/common';
import { loadConfig } from '@conveyor/config';
import { JobRecord, JobsRepository, openedRecord } from '@conveyor/database';
import { QueueRegistry } from '@conveyor/queueing';
import { DataCipher, JobEnvelope, QueueName } from '@conveyor/contracts';
import { Job, Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApiApp } from '../../apps/api/src/api-app';
import { openApiDocument } from '../../apps/api/src/openapi-document';
import { OpenApiSchemas } from './openapi-schemas';
import { PROBE_WORKER_MAIN, TEST_MONGO_URL } from './paths';
import { jobCatalog } from '@conveyor/products';
import { probeJob } from '../probe/probe.job';

const PROBE_WORKER = { main: PROBE_WORKER_MAIN, readyText: 'Worker started' };
import { RedisServer } from './redis-server';
import { waitFor } from './wait-for';
import { freePort } from './ports';
import { API_PROCESS, WorkerProcess } from './worker-process';

/** RELIABILITY §4's test timings: short locks and stall checks so recovery is quick. */
const TEST_TIMINGS = {
  BULL_LOCK_DURATION_MS: '2000',
  BULL_LOCK_RENEW_MS: '500',
  BULL_STALLED_INTERVAL_MS: '1000',
  WORKER_SHUTDOWN_GRACE_MS: '3000',
};

export interface ConveyorOptions {
  /** Worker processes to start now (more can be added with startWorker). */
  workers?: number;
  env?: Record<string, string>;
  /** Redis with an fsynced append-only file: a SIGKILL and restart keeps its data. */
  redisAppendOnly?: boolean;
  /** Register the probe job type (test/probe) in the API and run probe workers. */
  probe?: boolean;
}

/**
 * One suite's Conveyor: its own redis-server and database, the real API in-process (served to
 * supertest) and the built worker as child processes.
 */
export class Conveyor {
  readonly workers: WorkerProcess[] = [];
  private readonly extraApps: INestApplication[] = [];
  private readonly extraDatabases: string[] = [];
  /** The API's OpenAPI schemas, built on first use: completed results are checked against them. */
  private schemas?: OpenApiSchemas;

  private constructor(
    readonly redis: RedisServer,
    readonly env: NodeJS.ProcessEnv,
    readonly app: INestApplication,
    private readonly workerApp?: { main: string; readyText: string },
  ) {}

  static async start(options: ConveyorOptions = {}): Promise<Conveyor> {
    const redis = await RedisServer.start({ appendOnly: options.redisAppendOnly });
    const database = `conveyor_e2e_${randomBytes(4).toString('hex')}`;
    const mongoUrl = new URL(TEST_MONGO_URL);
    mongoUrl.pathname = `/${database}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      REDIS_URL: redis.url,
      MONGO_URL: mongoUrl.toString(),
      OUTBOUND_ALLOW_LOOPBACK: 'true',
      // Job data encrypted at rest, as in production: every suite exercises it.
      DATA_ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
      // Several workers share a host here: each gets a metrics port only when a test asks for one.
      WORKER_METRICS_PORT: '0',
      ...TEST_TIMINGS,
      ...options.env,
    };
    const app = await createApiApp(loadConfig(env), options.probe ? jobCatalog.with(probeJob) : undefined);
    await app.get(JobsRepository).ensureIndexes();
    const conveyor = new Conveyor(redis, env, app, options.probe ? PROBE_WORKER : undefined);
    for (let i = 0; i < (options.workers ?? 1); i++) await conveyor.startWorker();
    return conveyor;
  }

  /**
   * Another API instance on the same Redis and database, with some settings changed (or removed
   * with undefined): a second replica, or the same service configured differently.
   */
  async extraApi(env: Record<string, string | undefined>): Promise<{ http: () => TestAgent; app: INestApplication }> {
    const app = await createApiApp(loadConfig({ ...this.env, ...env }));
    this.extraApps.push(app);
    return { app, http: () => request(app.getHttpServer()) };
  }

  /**
   * Settings of another deployment beside this one on the same Redis: its own Bull prefix and its
   * own database, since a database belongs to one prefix (RELIABILITY F14). Dropped on close.
   */
  otherDeployment(prefix: string): Record<string, string> {
    const url = new URL(this.env.MONGO_URL!);
    url.pathname = `${url.pathname}_${prefix.replace(/[^A-Za-z0-9]/g, '_')}`;
    this.extraDatabases.push(url.pathname.slice(1));
    return { BULL_PREFIX: prefix, MONGO_URL: url.toString() };
  }

  /** The built API as a separate process on its own port (a real second replica). */
  async startApiProcess(env: Record<string, string> = {}): Promise<{ url: string; process: WorkerProcess }> {
    const port = await freePort();
    const api = await WorkerProcess.start({ ...this.env, LOG_LEVEL: 'log', API_PORT: String(port), ...env }, API_PROCESS);
    this.workers.push(api);
    return { url: `http://127.0.0.1:${port}`, process: api };
  }

  /** supertest against the API's HTTP server. */
  http(): TestAgent {
    return request(this.app.getHttpServer());
  }

  async startWorker(env: Record<string, string> = {}): Promise<WorkerProcess> {
    // At level "log" the worker announces "Worker started", which WorkerProcess waits for.
    const worker = await WorkerProcess.start({ ...this.env, LOG_LEVEL: 'log', ...env }, this.workerApp);
    this.workers.push(worker);
    return worker;
  }

  /** POST /api/v1/jobs of a GET to `url` as `userId`: the raw response, whatever it is. */
  postHttpJob(userId: string, url: string, options: object = {}): request.Test {
    return this.http()
      .post('/api/v1/jobs')
      .set('x-user-id', userId)
      .send({ type: 'http.request', data: { url, method: 'GET' }, options });
  }

  /** Submits an http.request job (GET `url`) as `userId` and returns its id; anything but 201 fails the test. */
  async submitHttpJob(userId: string, url: string, options: object = {}): Promise<string> {
    const res = await this.postHttpJob(userId, url, options);
    if (res.status !== 201) throw new Error(`Submit answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.data.jobId as string;
  }

  /** The API process's own Bull queue (for pausing, inspecting and simulating retention). */
  queue(name: QueueName): Queue {
    return this.app.get(QueueRegistry).get(name);
  }

  /**
   * A job's record whoever owns it: tests assert on what is stored, not only on what is shown.
   * Payload and result opened (they are sealed at rest; data-at-rest.e2e-spec reads them raw).
   */
  async record(jobId: string): Promise<JobRecord | null> {
    const record = await this.app.get(JobsRepository).findByIdUnscoped(jobId);
    return record && openedRecord(this.app.get(DataCipher), record);
  }

  /** A Bull job's payload, opened (sealed at rest like the record's). */
  payloadOf<P = any>(job: Job<JobEnvelope>): P {
    return this.app.get(DataCipher).open<P>(job.data.payload, String(job.id));
  }

  /**
   * Polls GET /api/v1/jobs/:id as `userId` until `accept` holds for the job view. A completed
   * job's result must match the result class its type declares, as the OpenAPI document shows it.
   */
  async waitForJob(jobId: string, userId: string, accept: (job: any) => boolean, timeoutMs = 15_000): Promise<any> {
    const job = await this.pollJob(jobId, userId, accept, timeoutMs);
    this.checkResult(job);
    return job;
  }

  /**
   * Reads a job as `caller` (a user id, or request headers such as an admin's bearer) and checks
   * its result as waitForJob does (for suites that wait on other routes).
   */
  async checkDocumentedResult(jobId: string, caller: string | Record<string, string>): Promise<void> {
    const headers = typeof caller === 'string' ? { 'x-user-id': caller } : caller;
    const res = await this.http().get(`/api/v1/jobs/${jobId}`).set(headers);
    if (res.status !== 200) throw new Error(`GET /api/v1/jobs/${jobId} answered ${res.status}`);
    this.checkResult(res.body.data);
  }

  /** Throws when a completed job's result is not what the document says its type returns. */
  private checkResult(job: { jobId: string; type: string; conveyorStatus: string; result: any }): void {
    const definition = jobCatalog.get(job.type);
    if (job.conveyorStatus !== 'completed' || !definition?.result) return;
    this.schemas ??= new OpenApiSchemas(openApiDocument(this.app));
    // Seed 004's types show their result as `data` beside { success, processingTime } and its own fields.
    const result = definition.resultEnvelope ? job.result?.data : job.result;
    const problem = this.schemas.componentProblem(definition.result.name, result);
    if (problem) throw new Error(`Job ${job.jobId} (${job.type}): its result does not match ${definition.result.name}: ${problem}`);
  }

  private async pollJob(jobId: string, userId: string, accept: (job: any) => boolean, timeoutMs: number): Promise<any> {
    let seen: unknown;
    try {
      return await waitFor(
        async () => {
          const res = await this.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', userId);
          seen = res.body;
          return res.status === 200 && accept(res.body.data) ? res.body.data : undefined;
        },
        { what: `job ${jobId} to reach the expected state`, timeoutMs },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(seen)?.slice(0, 800)}`);
    }
  }

  async close(): Promise<void> {
    // Everything is released even when a step fails (a database that stopped answering must not
    // leave the API, its connections and the redis-server holding Jest open): the first error is
    // reported after the rest has been closed.
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    await attempt(() => Promise.all(this.workers.map((w) => w.kill())));
    await attempt(() => Promise.all(this.extraApps.map((app) => app.close())));
    // Bounded: a database that accepts connections but stopped answering would wait forever.
    await attempt(() =>
      withinMs(15_000, 'dropping the test databases', async () => {
        const connection = this.app.get<Connection>(getConnectionToken());
        for (const name of this.extraDatabases) await connection.useDb(name).dropDatabase();
        await connection.dropDatabase();
      }),
    );
    await attempt(() => this.app.close());
    await attempt(() => this.redis.destroy());
    if (errors.length > 0) throw errors[0];
  }
}

/** `work`, or an error once `ms` have passed without it settling. */
async function withinMs<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}
