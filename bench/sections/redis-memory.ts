import { QueueName } from '@conveyor/contracts';
import { JobProducer, QueueRegistry } from '@conveyor/queueing';
import Bull from 'bull';
import Redis from 'ioredis';
import { BENCH_NOOP } from '../bench-noop.job';
import { BenchContext, BenchRow, mongoConnection } from '../support/bench-context';
import { round } from '../support/latency';

/**
 * P5, Redis bytes per waiting job: the same payload queued (paused) through the producer and
 * through raw Bull `add`, each queue's keys summed with MEMORY USAGE (every key under its
 * prefix, so Conveyor's own keys count too).
 */
export async function redisMemory(ctx: BenchContext): Promise<BenchRow[]> {
  const jobs = ctx.quick ? 500 : 2000;
  const queue = ctx.worker.get(QueueRegistry).get(QueueName.Http);
  const producer = ctx.worker.get(JobProducer);
  await queue.empty();
  // empty() also deletes Bull's paused flag, so pause after it.
  await queue.pause();
  await mongoConnection(ctx.worker).collection('jobs').deleteMany({});
  const raw = new Bull(`raw-${ctx.runId}-p5`, ctx.config.redis.url, { prefix: ctx.config.redis.prefix });
  try {
    const ourBefore = await bytesUnder(ctx.redis, queue.toKey(''));
    for (let i = 0; i < jobs; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) => producer.submit({ kind: 'user', id: 'bench' }, { type: BENCH_NOOP, data: { seq: i + k } })),
      );
    }
    const ours = ((await bytesUnder(ctx.redis, queue.toKey(''))) - ourBefore) / jobs;
    await raw.pause();
    for (let i = 0; i < jobs; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => raw.add({ seq: i + k })));
    const theirs = (await bytesUnder(ctx.redis, raw.toKey(''))) / jobs;
    return [
      {
        id: 'P5',
        what: 'Redis bytes per waiting job',
        reference: round(theirs, 0),
        conveyor: round(ours, 0),
        unit: 'bytes',
        ratio: round(ours / theirs),
      },
    ];
  } finally {
    await queue.empty();
    // Records of jobs emptied out of Bull would otherwise keep the reconcile sweep busy.
    await mongoConnection(ctx.worker).collection('jobs').deleteMany({});
    await queue.resume();
    await raw.obliterate({ force: true }).catch(() => undefined);
    await raw.close();
  }
}

/** MEMORY USAGE of every key starting with `prefix`, summed. */
async function bytesUnder(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    const sizes = await Promise.all(keys.map((key) => redis.memory('USAGE', key, 'SAMPLES', 0) as Promise<number | null>));
    total += sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
  } while (cursor !== '0');
  return total;
}
