import PgBoss from 'pg-boss';
import { Client } from 'pg';
import { BenchContext, BenchRow } from '../support/bench-context';
import { round } from '../support/latency';

const IN_FLIGHT = 50;
const BATCH_SIZE = 100;
const FETCHERS = 4;
const WORK_DEADLINE_MS = 60_000;
const DATABASE = 'conveyor_bench_pgboss';

/**
 * A durable peer on the same machine: pg-boss on the same PostgreSQL that FerretDB uses, sending
 * (50 in flight) and working (4 fetch-and-complete loops, batches of 100: pg-boss's own `work`
 * sleeps its polling interval between fetches, which would measure that setting) as many no-op
 * jobs as P1, set beside Conveyor's in-process submit and worker path (P1). Skipped, with a note,
 * where no PostgreSQL lets it in.
 */
export async function pgBossPeer(ctx: BenchContext, earlier: BenchRow[]): Promise<BenchRow[]> {
  if (!ctx.postgresUrl) return [{ id: 'peer', what: 'pg-boss peer', conveyor: NaN, unit: '', note: 'skipped: no PostgreSQL to log in to' }];
  const jobs = ctx.quick ? 300 : 1000;
  const postgresUrl = new URL(ctx.postgresUrl);
  const submit = earlier.find((r) => r.id === 'P1.submit');
  const work = earlier.find((r) => r.id === 'P1');
  await ensureDatabase(postgresUrl);
  postgresUrl.pathname = `/${DATABASE}`;
  const schema = `bench_${ctx.runId.replace(/\W/g, '_')}`;
  const boss = new PgBoss({ connectionString: postgresUrl.toString(), schema, max: IN_FLIGHT, supervise: false, schedule: false });
  boss.on('error', (error) => console.error(`  pg-boss: ${error.message}`));
  await boss.start();
  const queue = 'bench-noop';
  try {
    await boss.createQueue(queue);
    let next = 0;
    const sendStarted = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < jobs) await boss.send(queue, { seq: next++ });
      }),
    );
    const sendRate = jobs / ((performance.now() - sendStarted) / 1000);
    let fetched = 0;
    const workStarted = performance.now();
    const deadline = workStarted + WORK_DEADLINE_MS;
    await Promise.all(
      Array.from({ length: FETCHERS }, async () => {
        while (fetched < jobs) {
          if (performance.now() > deadline) throw new Error(`pg-boss did not hand out ${jobs} jobs within ${WORK_DEADLINE_MS / 1000} s`);
          const batch = await boss.fetch(queue, { batchSize: BATCH_SIZE });
          fetched += batch.length;
          if (batch.length > 0)
            await boss.complete(
              queue,
              batch.map((job) => job.id),
            );
          // Another loop holds the last jobs: wait a moment rather than query in a tight loop.
          else await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }),
    );
    const workRate = jobs / ((performance.now() - workStarted) / 1000);
    console.log(`  peer: pg-boss sends ${sendRate.toFixed(0)} jobs/s, works ${workRate.toFixed(0)} jobs/s`);
    return [
      {
        id: 'peer.send',
        what: `pg-boss send (${IN_FLIGHT} in flight) vs Conveyor's submit (P1.submit)`,
        reference: round(sendRate, 0),
        conveyor: submit?.conveyor ?? NaN,
        unit: 'jobs/s',
        ratio: submit ? round(submit.conveyor / sendRate, 2) : undefined,
      },
      {
        id: 'peer.work',
        what: `pg-boss fetch + complete (${FETCHERS} loops, batches of ${BATCH_SIZE}) vs Conveyor's worker path (P1)`,
        reference: round(workRate, 0),
        conveyor: work?.conveyor ?? NaN,
        unit: 'jobs/s',
        ratio: work ? round(work.conveyor / workRate, 2) : undefined,
      },
    ];
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    const client = new Client({ connectionString: postgresUrl.toString() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await client.end();
  }
}

async function ensureDatabase(server: URL): Promise<void> {
  const admin = new URL(server);
  admin.pathname = '/postgres';
  admin.searchParams.delete('pool_max_conns');
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
