#!/usr/bin/env node
/**
 * `npm test`: everything the test suites need, then the suites.
 *   1. dependencies (npm ci) if node_modules is missing;
 *   2. unit tests (no services; pdftotext, from poppler-utils, reads back the PDFs reports make);
 *   3. a Mongo-wire server (FerretDB when no MongoDB is installed), then the medium tests
 *      (repositories against it, one suite at a time);
 *   4. the redis-server binary (each e2e suite starts its own on a spare port) and a build of both
 *      apps and of the probe worker (e2e suites run built workers as child processes), then e2e
 *      tests one suite at a time;
 *   5. one closing line: "tests: N passed, N failed".
 *
 * Flags: --unit-only, --medium-only, --e2e-only (one tier). Extra arguments go to Jest.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const REPORTS = path.join(ROOT, '.data', 'test-reports');
const args = process.argv.slice(2);
const TIER_FLAGS = { '--unit-only': 'unit', '--medium-only': 'medium', '--e2e-only': 'e2e' };
const only = args.filter((a) => a in TIER_FLAGS).map((a) => TIER_FLAGS[a]);
const tiers = only.length > 0 ? only : ['unit', 'medium', 'e2e'];
const jestArgs = args.filter((a) => !(a in TIER_FLAGS));

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
  const { ensureMongo, ensurePdfToText, ensureRedisServerBinary } = require('./local-services');
  const { TEST_MONGO_URL } = require('../test/support/paths');
  const { ferretDbLogMark, reportDatabase } = require('./test-diagnostics');
  // The unit and e2e tests read back the PDFs reports make.
  if (tiers.includes('unit') || tiers.includes('e2e')) ensurePdfToText();
  if (tiers.includes('unit')) results.push(jest('unit', []));
  // The medium project's global setup starts the Mongo-wire server if it does not answer. One
  // suite at a time: each takes a few seconds, and a single process saves starting Jest workers.
  if (tiers.includes('medium')) results.push(jest('medium', ['--runInBand']));
  if (tiers.includes('e2e')) {
    ensureRedisServerBinary();
    await ensureMongo(TEST_MONGO_URL);
    if (run('npm', ['run', 'build']) !== 0) process.exit(1);
    // The worker with the probe job type (test/probe), which the reliability suites run.
    if (run(process.execPath, [path.join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', 'probe-worker']) !== 0)
      process.exit(1);
    // One suite at a time: each starts worker processes and a redis-server, and on two cores
    // parallel suites would race each other's timings.
    // --forceExit: a suite whose afterAll failed (its database stopped answering, say) may leave a
    // connection open; the run must still end with its summary, not hang until CI's time limit.
    const logMark = ferretDbLogMark();
    const e2e = jest('e2e', ['--runInBand', '--forceExit']);
    results.push(e2e);
    if (e2e.failed > 0)
      await reportDatabase(TEST_MONGO_URL, logMark).catch((error) => console.log(`[tests] no database report: ${error.message}`));
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
