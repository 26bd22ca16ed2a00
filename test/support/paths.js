// Shared by global-setup.js (plain Node) and the TypeScript support modules.
const fs = require('node:fs');
const path = require('node:path');

// test/support, or dist/bench/test/support when the benchmark's build copied it: the project root
// is the first folder up with a package.json.
let ROOT = path.resolve(__dirname, '../..');
while (!fs.existsSync(path.join(ROOT, 'package.json')) && path.dirname(ROOT) !== ROOT) ROOT = path.dirname(ROOT);

module.exports = {
  ROOT,
  WORKER_MAIN: path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js'),
  API_MAIN: path.join(ROOT, 'dist/apps/api/apps/api/src/main.js'),
  // The worker with the probe job type (test/probe), built by `npm test` next to the apps.
  PROBE_WORKER_MAIN: path.join(ROOT, 'dist/probe/test/probe/probe-worker.main.js'),
  // The server every e2e suite shares; each suite uses its own database on it.
  TEST_MONGO_URL: process.env.CONVEYOR_TEST_MONGO_URL || process.env.MONGO_URL || 'mongodb://127.0.0.1:27017/conveyor',
};
