// Before the e2e suites: a Mongo-wire server must answer (started if needed) and the worker must
// be built, since suites run it as a child process from dist/. Suites that kill their own
// Mongo-wire server run FerretDB privately: built here, not in the middle of timing-sensitive
// suites running beside them (a Go build takes both cores for a minute or two).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ensureMongo, preparePrivateMongo } = require('../../scripts/local-services');
const { WORKER_MAIN, TEST_MONGO_URL } = require('./paths');

module.exports = async () => {
  await ensureMongo(TEST_MONGO_URL);
  preparePrivateMongo();
  if (!fs.existsSync(WORKER_MAIN)) {
    const built = spawnSync('npm', ['run', 'build'], { cwd: path.resolve(__dirname, '../..'), stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
};
