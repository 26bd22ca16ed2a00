#!/usr/bin/env node
/**
 * `npm test`: everything the test suites need, then the suites.
 *   1. dependencies (npm ci) if node_modules is missing;
 *   2. local services: a Mongo-wire server (FerretDB when no MongoDB is installed) and the
 *      redis-server binary (each e2e suite starts its own on a spare port);
 *   3. a build of both apps (e2e suites run the built worker as a child process);
 *   4. unit tests, then e2e tests one suite at a time;
 *   5. one closing line: "tests: N passed, N failed".
 *
 * Flags: --unit-only, --e2e-only. Extra arguments go to Jest.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const REPORTS = path.join(ROOT, '.data', 'test-reports');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit-only');
const e2eOnly = args.includes('--e2e-only');
const jestArgs = args.filter((a) => a !== '--unit-only' && a !== '--e2e-only');

function run(command, commandArgs, env = process.env) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit', env });
  return result.status ?? 1;
}

function jest(project, extra) {
  const report = path.join(REPORTS, `${project}.json`);
  fs.rmSync(report, { force: true });
  const status = run(process.execPath, [
    path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--selectProjects',
    project,
    '--json',
    '--outputFile',
    report,
    ...extra,
    ...jestArgs,
  ]);
  const summary = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : undefined;
  return {
    status,
    passed: summary?.numPassedTests ?? 0,
    // A suite that could not run at all counts as a failure too.
    failed: (summary?.numFailedTests ?? 0) + (summary?.numRuntimeErrorTestSuites ?? 0) + (summary ? 0 : 1),
  };
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'node_modules', '.package-lock.json'))) {
    if (run('npm', ['ci']) !== 0) process.exit(1);
  }
  fs.mkdirSync(REPORTS, { recursive: true });
  const results = [];
  if (!e2eOnly) results.push(jest('unit', []));
  if (!unitOnly) {
    const { ensureMongo, ensureRedisServerBinary } = require('./local-services');
    ensureRedisServerBinary();
    await ensureMongo(process.env.CONVEYOR_TEST_MONGO_URL || process.env.MONGO_URL || 'mongodb://127.0.0.1:27017/conveyor');
    if (run('npm', ['run', 'build']) !== 0) process.exit(1);
    // One suite at a time: each starts worker processes and a redis-server, and on two cores
    // parallel suites would race each other's timings.
    results.push(jest('e2e', ['--runInBand']));
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
  process.exit(results.every((r) => r.status === 0) && failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
