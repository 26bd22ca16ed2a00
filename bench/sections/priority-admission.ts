import { QueueName } from '@conveyor/contracts';
import { JobProducer, QueueRegistry } from '@conveyor/queueing';
import Bull from 'bull';
import { BENCH_NOOP } from '../bench-noop.job';
import { BenchContext, BenchRow, mongoConnection, targeted } from '../support/bench-context';
import { round } from '../support/latency';

const PARALLELISM = 10;

/**
 * P4, prioritized submits near the admission limit: the mean cost of a submit with a random
 * priority when the backlog is empty, and again with the backlog just under the limit (Bull v4
 * places a prioritized job in time proportional to the backlog). Raw Bull `add` is measured the
 * same way for reference. The queue is paused, so the backlog stays put.
 */
export async function priorityAdmission(ctx: BenchContext): Promise<BenchRow[]> {
  const limit = ctx.config.queues.backlogLimit!;
  const probes = ctx.quick ? 200 : 500;
  const queue = ctx.worker.get(QueueRegistry).get(QueueName.Http);
  const producer = ctx.worker.get(JobProducer);
  const submit = (seq: number) =>
    producer.submit({ kind: 'user', id: 'bench' }, { type: BENCH_NOOP, data: { seq }, options: { priority: 1 + (seq % 10) } });
  await queue.pause();
  await mongoConnection(ctx.worker).collection('jobs').deleteMany({});
  try {
    await timePerCall(probes, submit); // warm-up
    await queue.empty();
    await queue.pause();
    const empty = await timePerCall(probes, submit);
    // Up to the limit less what the probes add; reservations of submits in flight count too.
    await fill(queue, limit - probes - PARALLELISM - (await backlog(queue)));
    const full = await timePerCall(probes, submit);
    await fill(queue, limit - (await backlog(queue)));
    const atLimit = await backlog(queue);
    const rejected = await submit(0).then(
      () => false,
      () => true,
    );
    await queue.empty();
    const raw = await rawReference(ctx, limit, probes);
    console.log(`  P4: ${empty.toFixed(2)} ms per submit when empty, ${full.toFixed(2)} ms at ${limit - probes}..${limit}`);
    return [
      targeted(
        {
          id: 'P4',
          what: `prioritized submit at the admission limit (${limit}) ÷ at an empty backlog`,
          reference: round(raw.full / raw.empty),
          conveyor: round(full / empty),
          unit: 'ratio',
          note: `submit ${round(empty, 3)} → ${round(full, 3)} ms; raw Bull add ${round(raw.empty, 3)} → ${round(raw.full, 3)} ms; a submit at ${atLimit}/${limit} ${rejected ? 'refused' : 'ADMITTED'}`,
        },
        '≤',
        1.5,
        full / empty,
      ),
    ];
  } finally {
    await queue.empty();
    // Records of jobs emptied out of Bull would otherwise keep the reconcile sweep busy.
    await mongoConnection(ctx.worker).collection('jobs').deleteMany({});
    await queue.resume();
  }
}

/** Mean wall time per call of `probes` calls, `PARALLELISM` at a time. */
async function timePerCall(probes: number, call: (seq: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PARALLELISM }, async () => {
      while (next < probes) await call(next++);
    }),
  );
  return ((performance.now() - started) / probes) * PARALLELISM;
}

/** Jobs counted against the admission limit (the queue is paused, so waiting ones are "paused"). */
async function backlog(queue: Bull.Queue): Promise<number> {
  const [wait, paused, delayed] = await Promise.all([
    queue.client.llen(queue.toKey('wait')),
    queue.client.llen(queue.toKey('paused')),
    queue.client.zcard(queue.toKey('delayed')),
  ]);
  return wait + paused + delayed;
}

/** Waiting prioritized jobs straight into Bull, as a backlog (they need no records to count). */
async function fill(queue: Bull.Queue, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    const n = Math.min(1000, count - i);
    await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: BENCH_NOOP, data: {}, opts: { priority: 1 + ((i + k) % 10) } })));
  }
}

async function rawReference(ctx: BenchContext, limit: number, probes: number): Promise<{ empty: number; full: number }> {
  const queue = new Bull(`raw-${ctx.runId}-p4`, ctx.config.redis.url, { prefix: ctx.config.redis.prefix });
  await queue.pause();
  const add = (seq: number) => queue.add({ seq }, { priority: 1 + (seq % 10) });
  try {
    await timePerCall(probes, add);
    await queue.empty();
    await queue.pause();
    const empty = await timePerCall(probes, add);
    await fill(queue, limit - probes);
    const full = await timePerCall(probes, add);
    return { empty, full };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}
