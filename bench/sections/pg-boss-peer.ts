import PgBoss from 'pg-boss';
import { Client } from 'pg';
import { BenchContext, BenchRow, countdown } from '../support/bench-context';
import { round } from '../support/latency';

const IN_FLIGHT = 50;
const BATCH_SIZE = 200;
const DATABASE = 'conveyor_bench_pgboss';

/**
 * A durable peer on the same machine: pg-boss on the same PostgreSQL that FerretDB uses, sending
 * (50 in flight) and working (batches of 200) as many no-op jobs as P1, set beside Conveyor's
 * HTTP submit (P2) and worker path (P1). Skipped, with a note, where no PostgreSQL answers.
 */
export async function pgBossPeer(ctx: BenchContext, earlier: BenchRow[]): Promise<BenchRow[]> {
  const jobs = ctx.quick ? 300 : 1000;
  const postgresUrl = new URL(ctx.postgresUrl ?? '');
  const submit = earlier.find((r) => r.id === 'P2');
  const work = earlier.find((r) => r.id === 'P1');
  if (!ctx.postgresUrl) return [{ id: 'peer', what: 'pg-boss peer', conveyor: NaN, unit: '', note: 'skipped: no PostgreSQL' }];
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
    const all = countdown(jobs);
    const workStarted = performance.now();
    await boss.work(queue, { batchSize: BATCH_SIZE, pollingIntervalSeconds: 0.5 }, async (batch) => {
      for (let i = 0; i < batch.length; i++) all.tick();
    });
    await all.done;
    const workRate = jobs / ((performance.now() - workStarted) / 1000);
    console.log(`  peer: pg-boss sends ${sendRate.toFixed(0)} jobs/s, works ${workRate.toFixed(0)} jobs/s`);
    return [
      {
        id: 'peer.send',
        what: `pg-boss send (${IN_FLIGHT} in flight) vs Conveyor HTTP submit (P2)`,
        reference: round(sendRate, 0),
        conveyor: submit?.conveyor ?? NaN,
        unit: 'jobs/s',
        ratio: submit ? round(submit.conveyor / sendRate, 2) : undefined,
      },
      {
        id: 'peer.work',
        what: `pg-boss work (batches of ${BATCH_SIZE}) vs Conveyor worker path (P1)`,
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
  admin.search = '';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
