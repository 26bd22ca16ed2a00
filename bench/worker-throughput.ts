/**
 * Worker throughput: raw Bull (a no-op processor) against Conveyor's worker path (the real
 * consumer, step runner and MongoDB record transitions, with a no-op job type), on the same Redis
 * in one process run, alternating rounds so machine noise hits both. Prints both and their ratio.
 *
 *   npm run bench                      BENCH_JOBS=1000 BENCH_ROUNDS=2 by default
 */
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { AppConfig, loadConfig } from '@conveyor/config';
import { QueueName, defaultJobTypeRegistry, queuePolicy } from '@conveyor/contracts';
import { JobProducer, QueueRegistry } from '@conveyor/queueing';
import Bull from 'bull';
import type { Connection } from 'mongoose';
import { createWorker } from '../apps/worker/src/worker-app';
import { BENCH_NOOP, BenchNoopHandler, benchNoopJob } from './bench-noop.job';

const JOBS = Number(process.env.BENCH_JOBS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = queuePolicy(QueueName.Http).concurrency;
const SUBMIT_PARALLELISM = 50;

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}`;
  const base = loadConfig();
  const mongo = new URL(base.mongo.url);
  mongo.pathname = `/conveyor_bench_${runId}`;
  const config: AppConfig = {
    ...base,
    logLevel: 'warn',
    mongo: { url: mongo.toString() },
    redis: { ...base.redis, prefix: `bench-${runId}` },
  };

  console.log(
    `${JOBS} no-op jobs per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds, Redis ${config.redis.url}, MongoDB ${config.mongo.url}`,
  );
  const worker = await createWorker({ config, registry: defaultJobTypeRegistry.with(benchNoopJob), extraHandlers: [BenchNoopHandler] });
  const raw: number[] = [];
  const conveyor: number[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      raw.push(await rawBullRound(config, `${runId}-${round}`));
      conveyor.push(await conveyorRound(worker));
      console.log(`round ${round}: raw Bull ${fmt(raw.at(-1)!)} jobs/s, Conveyor ${fmt(conveyor.at(-1)!)} jobs/s`);
    }
  } finally {
    await worker.get<Connection>(getConnectionToken()).dropDatabase();
    await worker.close();
  }
  const rawBest = Math.max(...raw);
  const conveyorBest = Math.max(...conveyor);
  console.log(`\nraw Bull:  ${fmt(rawBest)} jobs/s (best of ${ROUNDS})`);
  console.log(`Conveyor:  ${fmt(conveyorBest)} jobs/s (best of ${ROUNDS})`);
  console.log(`ratio:     ${(conveyorBest / rawBest).toFixed(3)} (Conveyor / raw Bull)`);
}

/** Raw Bull: jobs queued while paused, then timed from resume to the last completion. */
async function rawBullRound(config: AppConfig, name: string): Promise<number> {
  const queue = new Bull(`raw-${name}`, config.redis.url, { prefix: config.redis.prefix });
  await queue.pause();
  await queue.addBulk(Array.from({ length: JOBS }, (_, seq) => ({ data: { seq }, opts: { removeOnComplete: true } })));
  let done = 0;
  let finished!: () => void;
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  void queue.process(CONCURRENCY, async (job) => {
    if (++done === JOBS) finished();
    return { seq: job.data.seq };
  });
  const started = performance.now();
  await queue.resume();
  await allDone;
  const seconds = (performance.now() - started) / 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  return JOBS / seconds;
}

/** Conveyor: jobs submitted through the producer while paused, then timed from resume likewise. */
async function conveyorRound(worker: INestApplicationContext): Promise<number> {
  const queue = worker.get(QueueRegistry).get(QueueName.Http);
  const producer = worker.get(JobProducer);
  // Every round starts from an empty collection: FerretDB's updates slow down as it grows.
  await worker.get<Connection>(getConnectionToken()).collection('jobs').deleteMany({});
  await queue.pause();
  for (let i = 0; i < JOBS; i += SUBMIT_PARALLELISM) {
    await Promise.all(
      Array.from({ length: Math.min(SUBMIT_PARALLELISM, JOBS - i) }, (_, k) =>
        producer.submit({ kind: 'user', id: 'bench' }, { type: BENCH_NOOP, data: { seq: i + k } }),
      ),
    );
  }
  let done = 0;
  let finished!: () => void;
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  const onCompleted = () => {
    if (++done === JOBS) finished();
  };
  // Global events: the worker's consumer may run on another Queue instance than the registry's.
  queue.on('global:completed', onCompleted);
  const started = performance.now();
  await queue.resume();
  await allDone;
  const seconds = (performance.now() - started) / 1000;
  queue.off('global:completed', onCompleted);
  await queue.clean(0, 'completed');
  return JOBS / seconds;
}

function fmt(n: number): string {
  return n.toFixed(0).padStart(6);
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
