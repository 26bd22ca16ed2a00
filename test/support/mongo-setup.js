// Before the medium suites: the shared Mongo-wire server must answer (started if needed). Each
// suite then works in a database of its own on it (test/support/test-database.ts).
const mongoose = require('mongoose');
const { ensureMongo } = require('../../scripts/local-services');
const { TEST_MONGO_URL } = require('./paths');

module.exports = async () => {
  await ensureMongo(TEST_MONGO_URL);
  // Which server answers, for the few guarantees MongoDB gives and FerretDB v1 does not (DESIGN §2).
  const connection = await mongoose.createConnection(TEST_MONGO_URL, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    const info = await connection.db.admin().command({ buildInfo: 1 });
    process.env.CONVEYOR_TEST_MONGO_SERVER = 'ferretdbVersion' in info ? 'ferretdb' : 'mongodb';
  } finally {
    await connection.close();
  }
};
