#!/usr/bin/env node
/** `npm run bench`: local services, a build of bench/, then the worker throughput benchmark. */
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensureServices } = require('./local-services');

const ROOT = path.resolve(__dirname, '..');

ensureServices(process.env)
  .then(({ redisUrl, mongoUrl }) => {
    const built = spawnSync('npx', ['nest', 'build', 'bench'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
    const ran = spawnSync(process.execPath, [path.join(ROOT, 'dist/bench/bench/worker-throughput.js')], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, REDIS_URL: redisUrl, MONGO_URL: mongoUrl },
    });
    process.exit(ran.status ?? 1);
  })
  .catch((error) => {
    console.error(`[bench] ${error.message}`);
    process.exit(1);
  });
