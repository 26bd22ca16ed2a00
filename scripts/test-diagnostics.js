/**
 * What CI's log would otherwise not show after a failed e2e tier: whether the shared Mongo-wire
 * server still answers, what FerretDB logged at error level during the tier (when this checkout
 * started it), and FerretDB's sessions in PostgreSQL. A database that stalled or died explains
 * several failures at once. Reads only: it starts and installs nothing.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { DEFAULT_FERRETDB_POSTGRESQL_URL, mongoAnswers } = require('./local-services');

const FERRETDB_LOG = path.resolve(__dirname, '..', '.data', 'ferretdb', 'ferretdb.log');

/** Where FerretDB's log ends now (it is appended to across runs): the report reads from there. */
function ferretDbLogMark() {
  return fs.existsSync(FERRETDB_LOG) ? fs.statSync(FERRETDB_LOG).size : 0;
}

async function reportDatabase(mongoUrl, logMark) {
  console.log(`\n[tests] the Mongo-wire server at ${mongoUrl} ${(await mongoAnswers(mongoUrl)) ? 'still answers' : 'does NOT answer'}`);
  reportFerretDbErrors(logMark);
  await reportPostgresSessions(process.env.FERRETDB_POSTGRESQL_URL || DEFAULT_FERRETDB_POSTGRESQL_URL);
}

function reportFerretDbErrors(logMark) {
  // A server another checkout started logs into that checkout's folder: nothing here then.
  if (!fs.existsSync(FERRETDB_LOG)) return;
  const size = fs.statSync(FERRETDB_LOG).size;
  if (size <= logMark) return console.log('[tests] FerretDB logged nothing during the e2e tier');
  const fd = fs.openSync(FERRETDB_LOG, 'r');
  const buffer = Buffer.alloc(size - logMark);
  fs.readSync(fd, buffer, 0, buffer.length, logMark);
  fs.closeSync(fd);
  const serious = buffer
    .toString('utf8')
    .split('\n')
    .filter((line) => /level=(ERROR|FATAL)|panic|fatal error/i.test(line));
  console.log(`[tests] FerretDB logged ${serious.length} error line(s) during the e2e tier${serious.length > 0 ? '; the last ones:' : ''}`);
  for (const line of serious.slice(-20)) console.log(`  ${line.slice(0, 400)}`);
}

/** FerretDB's sessions in its PostgreSQL database: a stalled pool shows as waits, a lost one as none. */
async function reportPostgresSessions(postgresUrl) {
  let target;
  try {
    target = new URL(postgresUrl);
  } catch {
    return console.log(`[tests] PostgreSQL URL unreadable: ${postgresUrl}`);
  }
  const database = decodeURIComponent(target.pathname.slice(1));
  target.pathname = '/postgres';
  target.searchParams.delete('pool_max_conns');
  const { Client } = require('pg');
  const client = new Client({ connectionString: target.toString(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query(
      `select datname, state, wait_event_type, wait_event, extract(epoch from now() - query_start)::int as seconds, left(query, 120) as query
         from pg_stat_activity where datname = $1 or datname = $1 || '_private' order by query_start`,
      [database],
    );
    const byState = {};
    for (const row of rows) byState[row.state] = (byState[row.state] ?? 0) + 1;
    console.log(`[tests] PostgreSQL sessions on ${database}: ${rows.length} ${JSON.stringify(byState)}; the busy ones:`);
    for (const row of rows.filter((r) => r.state !== 'idle')) console.log(`  ${JSON.stringify(row)}`);
  } catch (error) {
    console.log(`[tests] PostgreSQL sessions unavailable (${error.message})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

module.exports = { ferretDbLogMark, reportDatabase };
