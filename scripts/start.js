#!/usr/bin/env node
/**
 * `npm start`: one command from a fresh clone to a running Conveyor.
 *   1. dependencies (npm ci) if node_modules is missing;
 *   2. Redis and a MongoDB-compatible server at REDIS_URL / MONGO_URL, started if absent
 *      (scripts/local-services.js);
 *   3. a build of both apps;
 *   4. the API and one worker as child processes, output prefixed; Ctrl-C stops both gracefully.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.resolve(__dirname, '..');
const APPS = {
  api: path.join(ROOT, 'dist/apps/api/apps/api/src/main.js'),
  worker: path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js'),
};

function runOrExit(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function startApp(name, env) {
  const child = spawn(process.execPath, [APPS[name]], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  return child;
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'node_modules', '.package-lock.json'))) runOrExit('npm', ['ci']);
  const { ensureServices } = require('./local-services');
  const { redisUrl, mongoUrl } = await ensureServices(process.env);
  runOrExit('npm', ['run', 'build']);

  const env = { ...process.env, REDIS_URL: redisUrl, MONGO_URL: mongoUrl };
  const children = { api: startApp('api', env), worker: startApp('worker', env) };
  const host = env.API_HOST || '127.0.0.1';
  const port = env.API_PORT || '3000';
  console.log(
    `\nConveyor is starting:\n  API      http://${host}:${port}/api/v1/jobs\n  Swagger  http://${host}:${port}/docs\n  Health   http://${host}:${port}/health\nPress Ctrl-C to stop.\n`,
  );

  let stopping = false;
  const stopAll = (code) => {
    if (stopping) return;
    stopping = true;
    for (const child of Object.values(children)) if (child.exitCode === null) child.kill('SIGTERM');
    Promise.all(Object.values(children).map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(() =>
      process.exit(code),
    );
  };
  for (const [name, child] of Object.entries(children)) {
    child.once('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[start] ${name} exited (${signal ?? `code ${code}`}); stopping the other process`);
        stopAll(1);
      }
    });
  }
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
}

main().catch((error) => {
  console.error(`[start] ${error.message}`);
  process.exit(1);
});
