import Bull from 'bull';
import autocannon from 'autocannon';
import { BenchContext, BenchRow, sectionEnv, targeted } from '../support/bench-context';
import { startApi, stopApp } from '../support/app-processes';
import { processCpuMs } from '../support/process-cpu';
import { round } from '../support/latency';
import { commandDelta, redisCommandCounts, redisInputBytes, topCommandsPerJob } from '../support/redis-command-counter';

const CONNECTIONS = 50;
const BULK_SIZE = 100;
const BULK_CONNECTIONS = 4;
/** Never run: no worker consumes this section's Redis prefix. */
const JOB = { type: 'http.request', data: { url: 'http://127.0.0.1:9/never-called', method: 'GET' } };

/**
 * P2, submission: the real API process (no worker on its key prefix, so nothing runs) loaded from
 * this process over HTTP, against raw Bull `add` and `addBulk` at the same concurrency on the same
 * Redis. The API's CPU per submit comes from /proc (its user + system time ÷ requests).
 */
export async function httpSubmit(ctx: BenchContext): Promise<BenchRow[]> {
  const singles = ctx.quick ? 1500 : 5000;
  const bulks = ctx.quick ? 20 : 60;
  const env = sectionEnv(ctx, 'p2');
  const prefix = env.BULL_PREFIX!;
  const api = await startApi(env);
  try {
    // Warm-up: the first requests compile the hot paths and open connections.
    await load(api.url, '/api/v1/jobs', JOB, 300, CONNECTIONS);
    const cpuBefore = processCpuMs(api.process.pid);
    const commandsBefore = await redisCommandCounts(ctx.redis);
    const bytesBefore = await redisInputBytes(ctx.redis);
    const single = await load(api.url, '/api/v1/jobs', JOB, singles, CONNECTIONS);
    const cpuPerSubmit = (processCpuMs(api.process.pid) - cpuBefore) / singles;
    const commands = commandDelta(commandsBefore, await redisCommandCounts(ctx.redis));
    // Everything Redis read meanwhile, the benchmark's own two INFO calls aside (a few dozen bytes).
    const bytesPerSubmit = ((await redisInputBytes(ctx.redis)) - bytesBefore) / singles;
    const bulk = await load(api.url, '/api/v1/jobs/bulk', { jobs: Array.from({ length: BULK_SIZE }, () => JOB) }, bulks, BULK_CONNECTIONS);
    const raw = await rawAdds(ctx, singles, bulks);
    console.log(`  P2: HTTP ${single.perSecond.toFixed(0)} submits/s, raw add ${raw.addsPerSecond.toFixed(0)}/s`);
    return [
      targeted(
        {
          id: 'P2',
          what: `HTTP single submit, ${CONNECTIONS} connections ÷ raw add`,
          reference: round(raw.addsPerSecond, 0),
          conveyor: round(single.perSecond, 0),
          unit: 'jobs/s',
          ratio: round(single.perSecond / raw.addsPerSecond, 4),
          note: `${single.errors} non-2xx; p99 ${single.p99} ms`,
        },
        '≥',
        0.02,
      ),
      targeted({ id: 'P2.cpu', what: 'API CPU per submit', conveyor: round(cpuPerSubmit, 3), unit: 'ms' }, '≤', 0.5, cpuPerSubmit),
      {
        // Scripts' inner commands count too (INFO commandstats); the note shows the round trips (eval, evalsha).
        id: 'P2.redis',
        what: 'Redis commands per HTTP submit (rate limits, admission, add)',
        conveyor: round(commands.total / singles, 2),
        unit: 'commands',
        note: topCommandsPerJob(commands.byCommand, singles, 10),
      },
      {
        id: 'P2.bytes',
        what: 'bytes Redis reads per HTTP submit (commands and their arguments)',
        conveyor: round(bytesPerSubmit, 0),
        unit: 'bytes',
      },
      {
        id: 'P2.bulk',
        what: `HTTP bulk submit (${BULK_SIZE} a request) ÷ raw addBulk`,
        reference: round(raw.bulkJobsPerSecond, 0),
        conveyor: round(bulk.perSecond * BULK_SIZE, 0),
        unit: 'jobs/s',
        ratio: round((bulk.perSecond * BULK_SIZE) / raw.bulkJobsPerSecond, 4),
        note: `${bulk.errors} non-2xx`,
      },
    ];
  } finally {
    await stopApp(api.process);
    await new Bull('http', ctx.config.redis.url, { prefix }).obliterate({ force: true }).catch(() => undefined);
  }
}

interface LoadResult {
  perSecond: number;
  errors: number;
  p99: number;
}

/** `amount` POSTs of `body` over `connections` keep-alive connections; requests per second. */
async function load(url: string, path: string, body: object, amount: number, connections: number): Promise<LoadResult> {
  const result = await autocannon({
    url: url + path,
    method: 'POST',
    connections,
    amount,
    headers: { 'content-type': 'application/json', 'x-user-id': 'bench' },
    body: JSON.stringify(body),
  });
  const seconds = result.duration;
  return { perSecond: result.requests.total / seconds, errors: result.non2xx + result.errors, p99: result.latency.p99 };
}

/** Raw Bull on the same Redis: `add` with the same concurrency, then `addBulk` of the same size. */
async function rawAdds(ctx: BenchContext, adds: number, bulks: number): Promise<{ addsPerSecond: number; bulkJobsPerSecond: number }> {
  const queue = new Bull(`raw-${ctx.runId}-p2`, ctx.config.redis.url, { prefix: ctx.config.redis.prefix });
  try {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next++ < adds) await queue.add('http.request', JOB.data);
      }),
    );
    const addsPerSecond = adds / ((performance.now() - started) / 1000);
    let nextBulk = 0;
    const bulkStarted = performance.now();
    await Promise.all(
      Array.from({ length: BULK_CONNECTIONS }, async () => {
        while (nextBulk++ < bulks) await queue.addBulk(Array.from({ length: BULK_SIZE }, () => ({ name: 'http.request', data: JOB.data })));
      }),
    );
    const bulkJobsPerSecond = (bulks * BULK_SIZE) / ((performance.now() - bulkStarted) / 1000);
    return { addsPerSecond, bulkJobsPerSecond };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}
