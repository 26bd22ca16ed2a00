import http from 'node:http';
import { QueueName } from '@conveyor/contracts';
import { JobProducer } from '@conveyor/queueing';
import Bull from 'bull';
import { TargetServer } from '../../test/support/target-server';
import { BENCH_NOOP, noopStarts } from '../bench-noop.job';
import { BenchContext, BenchRow, sectionEnv, targeted } from '../support/bench-context';
import { startApi, startWorker, stopApp } from '../support/app-processes';
import { LatencySummary, round, summarize } from '../support/latency';

const TERMINAL_EVENTS = new Set(['completed', 'failed', 'cancelled']);

/**
 * P3, latency on an idle queue, one job at a time:
 *  - pickup: submit → handler start (the in-process worker and producer) vs raw Bull add →
 *    processor start;
 *  - time to result of a trivial http.request to a loopback server, through the real API and
 *    worker processes: `Prefer: wait` submit → 200, and submit → the SSE terminal event, vs raw
 *    Bull add → job.finished() with a processor making the same request.
 */
export async function latency(ctx: BenchContext): Promise<BenchRow[]> {
  const samples = ctx.quick ? 30 : 60;
  const pickup = await conveyorPickup(ctx, samples);
  const rawPickup = await rawPickupAndResult(ctx, samples);
  const target = await TargetServer.start();
  const env = sectionEnv(ctx, 'p3');
  const prefix = env.BULL_PREFIX!;
  const [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
  try {
    const url = target.url('/p3');
    await preferWait(api.url, url, 5); // warm-up
    const wait = summarize(await repeat(samples, () => preferWait(api.url, url, samples)));
    const sse = summarize(await repeat(samples, () => sseResult(api.url, url)));
    const raw = summarize(await rawResults(ctx, url, samples));
    console.log(`  P3: pickup p50 ${pickup.p50} ms (raw ${rawPickup.p50}); Prefer: wait p50 ${wait.p50} ms (raw ${raw.p50})`);
    return [
      targeted(
        {
          id: 'P3.pickup',
          what: 'pickup latency p99, submit → handler start',
          reference: rawPickup.p99,
          conveyor: pickup.p99,
          unit: 'ms',
          ratio: round(pickup.p99 / rawPickup.p99),
          note: `p50 ${pickup.p50} vs ${rawPickup.p50} ms`,
        },
        '≤',
        2,
      ),
      targeted(
        {
          id: 'P3.wait',
          what: 'time to result p50, Prefer: wait → 200',
          reference: raw.p50,
          conveyor: wait.p50,
          unit: 'ms',
          ratio: round(wait.p50 / raw.p50),
          note: `p99 ${wait.p99} vs ${raw.p99} ms`,
        },
        '≤',
        3,
      ),
      {
        id: 'P3.sse',
        what: 'time to result p50, submit → SSE terminal event',
        reference: raw.p50,
        conveyor: sse.p50,
        unit: 'ms',
        ratio: round(sse.p50 / raw.p50),
        note: `p99 ${sse.p99} ms`,
      },
    ];
  } finally {
    await Promise.all([stopApp(api.process), stopApp(worker)]);
    await target.close();
    await new Bull(QueueName.Http, ctx.config.redis.url, { prefix }).obliterate({ force: true }).catch(() => undefined);
  }
}

async function repeat(times: number, measure: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await measure());
  return samples;
}

async function conveyorPickup(ctx: BenchContext, samples: number): Promise<LatencySummary> {
  const producer = ctx.worker.get(JobProducer);
  const times: number[] = [];
  for (let seq = -5; seq < samples; seq++) {
    const started = new Promise<number>((resolve) => (noopStarts.listener = (s) => s === seq && resolve(performance.now())));
    const t0 = performance.now();
    await producer.submit({ kind: 'user', id: 'bench' }, { type: BENCH_NOOP, data: { seq } });
    const latency = (await started) - t0;
    if (seq >= 0) times.push(latency); // the first five warm up
  }
  noopStarts.listener = undefined;
  return summarize(times);
}

async function rawPickupAndResult(ctx: BenchContext, samples: number): Promise<LatencySummary> {
  const queue = new Bull(`raw-${ctx.runId}-p3-pickup`, ctx.config.redis.url, { prefix: ctx.config.redis.prefix });
  let onStart: (() => void) | undefined;
  void queue.process(async () => onStart?.());
  await queue.isReady();
  try {
    const times = await repeat(samples + 5, async () => {
      const started = new Promise<number>((resolve) => (onStart = () => resolve(performance.now())));
      const t0 = performance.now();
      await addAndFinish(queue, {});
      return (await started) - t0;
    });
    return summarize(times.slice(5)); // the first five warm up
  } finally {
    await queue.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
  }
}

/** Raw Bull add → completion, the processor making the same loopback GET. */
async function rawResults(ctx: BenchContext, url: string, samples: number): Promise<number[]> {
  const queue = new Bull(`raw-${ctx.runId}-p3-result`, ctx.config.redis.url, { prefix: ctx.config.redis.prefix });
  void queue.process(async () => (await fetch(url)).status);
  await queue.isReady();
  try {
    const times = await repeat(samples + 5, async () => {
      const t0 = performance.now();
      await addAndFinish(queue, {});
      return performance.now() - t0;
    });
    return times.slice(5);
  } finally {
    await queue.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
  }
}

let rawJobs = 0;

/**
 * Adds a job and resolves when this process's processor completes it. Listening before the add:
 * job.finished() misses a job that completed and was removed before it looked.
 */
async function addAndFinish(queue: Bull.Queue, data: object): Promise<void> {
  const jobId = `raw-${++rawJobs}`;
  const completed = new Promise<void>((resolve) => {
    const listener = (job: Bull.Job) => {
      if (job.id !== jobId) return;
      queue.off('completed', listener);
      resolve();
    };
    queue.on('completed', listener);
  });
  await queue.add(data, { jobId, removeOnComplete: true });
  await completed;
}

function submitBody(url: string): string {
  return JSON.stringify({ type: 'http.request', data: { url, method: 'GET' } });
}

async function preferWait(apiUrl: string, url: string, _n: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${apiUrl}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': 'bench', prefer: 'wait=10' },
    body: submitBody(url),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`Prefer: wait answered ${res.status}`);
  return performance.now() - t0;
}

/** Submit, then read the job's SSE stream until its terminal event; ms from the submit. */
async function sseResult(apiUrl: string, url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${apiUrl}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': 'bench' },
    body: submitBody(url),
  });
  const { data } = (await res.json()) as { data: { jobId: string } };
  await new Promise<void>((resolve, reject) => {
    const req = http.get(
      `${apiUrl}/api/v1/jobs/${data.jobId}/events`,
      { headers: { accept: 'text/event-stream', 'x-user-id': 'bench' } },
      (stream) => {
        let buffer = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          buffer += chunk;
          for (const match of buffer.matchAll(/^event: (\w+)$/gm)) {
            if (TERMINAL_EVENTS.has(match[1])) {
              req.destroy();
              resolve();
              return;
            }
          }
        });
        stream.on('end', () => reject(new Error('event stream ended without a terminal event')));
      },
    );
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
  });
  return performance.now() - t0;
}
