/**
 * `npm run bench`: Conveyor's hot paths measured against raw Bull on the same Redis in one run,
 * printed as a table of ratios and written as JSON under bench/results/ (see README, Benchmark).
 *
 *   BENCH_QUICK=1 npm run bench        a short run (fewer jobs, one round; under a minute here)
 *   MONGO_URL=… npm run bench          against another MongoDB (a real one, say)
 *   BENCH_ONLY=P1,P3 npm run bench     only some sections (while profiling one path, say)
 *   BENCH_CPU_PROF=/tmp/prof           the API and worker processes write CPU profiles there
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { AppConfig, loadConfig } from '@conveyor/config';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { createWorker } from '../apps/worker/src/worker-app';
import { BenchNoopHandler, benchNoopJob } from './bench-noop.job';
import { BenchContext, BenchRow, mongoConnection } from './support/bench-context';
import { MongoCommandCounter } from './support/mongo-command-counter';
import { MACHINE } from './support/process-cpu';
import { printReport, saveReport } from './support/report';
import { workerPath } from './sections/worker-path';
import { redisMemory } from './sections/redis-memory';
import { priorityAdmission } from './sections/priority-admission';
import { latency } from './sections/latency';
import { httpSubmit } from './sections/http-submit';
import { pgBossPeer } from './sections/pg-boss-peer';
import { jobCatalog } from '@conveyor/products';

/** The repository's root: the nearest folder above the compiled bench that holds package.json. */
const ROOT = (function repositoryRoot(dir: string): string {
  if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  if (path.dirname(dir) === dir) throw new Error(`No package.json above ${__dirname}`);
  return repositoryRoot(path.dirname(dir));
})(__dirname);

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const runId = Date.now().toString(36);
  const base = loadConfig();
  const mongoUrl = new URL(base.mongo.url);
  mongoUrl.pathname = `/conveyor_bench_${runId}`;
  // The API and worker processes (P2, P3) get a database of their own, out of this process's
  // reconcile sweep, which would otherwise see their records without their Bull jobs.
  const appsMongoUrl = new URL(mongoUrl);
  appsMongoUrl.pathname = `/conveyor_bench_${runId}_apps`;
  const processEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    REDIS_URL: base.redis.url,
    MONGO_URL: appsMongoUrl.toString(),
    BULL_PREFIX: `bench-${runId}`,
    OUTBOUND_ALLOW_LOOPBACK: 'true',
    QUEUE_BACKLOG_LIMIT: '1000000',
    THROTTLE_SUBMIT_LIMIT: '10000000',
    THROTTLE_SUBMIT_IP_LIMIT: '10000000',
    THROTTLE_BULK_LIMIT: '10000000',
    THROTTLE_READ_LIMIT: '10000000',
    THROTTLE_IP_LIMIT: '10000000',
    WORKER_METRICS_PORT: '0',
    // Measured as production runs: job data encrypted at rest.
    DATA_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  };
  // This process's own connection counts its MongoDB commands (driver command monitoring).
  const monitored = new URL(mongoUrl);
  monitored.searchParams.set('monitorCommands', 'true');
  const loaded = loadConfig({ ...processEnv, LOG_LEVEL: 'warn' });
  const config: AppConfig = {
    ...loaded,
    mongo: { url: monitored.toString() },
    queues: { ...loaded.queues, backlogLimit: quick ? 2000 : 5000 },
  };
  const worker = await createWorker({ config, registry: jobCatalog.with(benchNoopJob), extraHandlers: [BenchNoopHandler] });
  const redis = new Redis(config.redis.url);
  const ctx: BenchContext = {
    runId,
    quick,
    config,
    processEnv,
    sectionDatabases: [],
    redis,
    worker,
    mongo: new MongoCommandCounter(mongoConnection(worker)),
    // Found by `npm run bench` (scripts/bench.js) the way local services find PostgreSQL.
    postgresUrl: process.env.BENCH_POSTGRES_URL,
  };
  console.log(`Conveyor benchmark${quick ? ' (quick)' : ''}: Redis ${config.redis.url}, MongoDB ${mongoUrl}`);
  const started = performance.now();
  const rows: BenchRow[] = [];
  const sections: Array<[string, () => Promise<BenchRow[]>]> = [
    ['P1 worker path', () => workerPath(ctx)],
    ['P5 Redis memory', () => redisMemory(ctx)],
    ['P4 priority at the limit', () => priorityAdmission(ctx)],
    ['P3 latency', () => latency(ctx)],
    ['P2 HTTP submit', () => httpSubmit(ctx)],
    ['pg-boss peer', () => pgBossPeer(ctx, rows)],
  ];
  // BENCH_ONLY=P1,P3 runs only the sections whose names start with those ids.
  const only = process.env.BENCH_ONLY?.split(',');
  let failed = false;
  try {
    for (const [name, run] of sections.filter(([name]) => !only || only.some((id) => name.startsWith(id)))) {
      console.log(`${name}…`);
      try {
        rows.push(...(await run()));
      } catch (error) {
        failed = true;
        console.error(`  ${name} failed: ${(error as Error).stack}`);
        rows.push({ id: name.split(' ')[0], what: name, conveyor: NaN, unit: '', note: `failed: ${(error as Error).message}` });
      }
    }
    const report = {
      date: new Date().toISOString(),
      machine: MACHINE,
      mongo: await describeMongo(ctx),
      redis: (await redis.info('server')).match(/redis_version:(\S+)/)?.[1] ?? 'unknown',
      quick,
      seconds: (performance.now() - started) / 1000,
      rows,
    };
    printReport(report);
    console.log(`written to ${path.relative(ROOT, saveReport(report, ROOT))}`);
  } finally {
    ctx.mongo.close();
    await mongoConnection(worker).dropDatabase();
    for (const name of [appsMongoUrl.pathname.slice(1), ...ctx.sectionDatabases]) await mongoConnection(worker).useDb(name).dropDatabase();
    await worker.close();
    await flushPrefix(redis, `bench-${runId}`);
    redis.disconnect();
  }
  if (failed) process.exitCode = 1;
}

/** "FerretDB on PostgreSQL" (its process's command line tells the backend) or "MongoDB 7.0.x". */
async function describeMongo(ctx: BenchContext): Promise<string> {
  const admin = mongoConnection(ctx.worker).db!.admin();
  const status = await admin.command({ serverStatus: 1 });
  if (status.process !== 'ferretdb') return `MongoDB ${status.version}`;
  let backend = 'unknown backend';
  try {
    const args = fs.readFileSync(`/proc/${status.pid}/cmdline`, 'utf8').split('\0');
    backend = args[args.indexOf('-backend') + 1] === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  } catch {
    backend = 'a backend on another machine';
  }
  return `FerretDB v1.24.2 on ${backend}`;
}

/** Removes every key the run made (its prefixes all start with `bench-<runId>`). */
async function flushPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
