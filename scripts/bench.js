#!/usr/bin/env node
/**
 * `npm run bench`: local services, a build of the apps (P2 and P3 run them as processes) and of
 * bench/, then the benchmark report (bench/run-bench.ts). BENCH_QUICK=1 for a short run.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensurePostgres, ensureServices } = require('./local-services');

const ROOT = path.resolve(__dirname, '..');

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

ensureServices(process.env)
  .then(({ redisUrl, mongoUrl }) => {
    if (process.env.BENCH_SKIP_BUILD !== '1') {
      run('npm', ['run', 'build']);
      run('npx', ['nest', 'build', 'bench']);
    }
    return ensurePostgres().then((postgresUrl) => {
      // The pg-boss peer runs on the PostgreSQL FerretDB would use (none: it is skipped).
      const peer = process.env.BENCH_POSTGRES_URL ?? postgresUrl;
      run(process.execPath, [path.join(ROOT, 'dist/bench/bench/run-bench.js')], {
        ...process.env,
        REDIS_URL: redisUrl,
        MONGO_URL: mongoUrl,
        ...(peer ? { BENCH_POSTGRES_URL: peer } : {}),
      });
    });
  })
  .catch((error) => {
    console.error(`[bench] ${error.message}`);
    process.exit(1);
  });
