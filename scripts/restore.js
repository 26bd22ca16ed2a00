#!/usr/bin/env node
/**
 * `npm run restore -- <backup folder>`: loads a backup written by the backup-data system task into
 * the database at MONGO_URL (default mongodb://127.0.0.1:27017/conveyor).
 *   1. verifies the whole backup first: manifest format, every file's size and SHA-256, every line's
 *      Extended JSON and each collection's document count; a damaged backup writes nothing;
 *   2. refuses a database holding documents in any of the backup's collections (it loads into an
 *      empty database only, so nothing is overwritten or mixed);
 *   3. inserts each collection in batches and prints its count.
 * Indexes are not copied: the API and the worker create them when they start. Sealed job data stays
 * sealed: run the restored deployment with the same DATA_ENCRYPTION_KEYS. Exits 1 with one line on
 * any refusal or error.
 */
'use strict';

const { MongoClient } = require('mongodb');
const { BackupError, documentsOf, readManifest, verifyFile } = require('./backup-reader');

const DEFAULT_MONGO_URL = 'mongodb://127.0.0.1:27017/conveyor';
const BATCH_SIZE = 500;

async function restore(folder, mongoUrl) {
  const manifest = await readManifest(folder);
  for (const entry of manifest.collections) await verifyFile(folder, entry);
  const total = manifest.collections.reduce((sum, entry) => sum + entry.count, 0);
  console.log(`restore: ${folder} verified: ${manifest.collections.length} collections, ${total} documents (${manifest.createdAt})`);

  const client = await MongoClient.connect(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  try {
    const db = client.db();
    const occupied = await occupiedCollections(db, manifest.collections);
    if (occupied.length > 0) {
      throw new BackupError(
        `refused: database "${db.databaseName}" already holds documents in ${occupied.join(', ')}; restore loads into an empty database only`,
      );
    }
    for (const entry of manifest.collections) {
      const loaded = await load(db.collection(entry.name), documentsOf(folder, entry)).catch((error) => {
        throw new BackupError(
          `loading ${entry.name} failed (${error.message}); database "${db.databaseName}" is partly restored: drop it before trying again`,
          { cause: error },
        );
      });
      console.log(`  ${entry.name}: ${loaded} documents`);
    }
    console.log(`restore: ${total} documents into database "${db.databaseName}"`);
  } finally {
    await client.close();
  }
}

async function occupiedCollections(db, entries) {
  const occupied = [];
  for (const { name } of entries) {
    if (await db.collection(name).findOne({}, { projection: { _id: 1 } })) occupied.push(name);
  }
  return occupied;
}

async function load(collection, documents) {
  let loaded = 0;
  let batch = [];
  for await (const document of documents) {
    batch.push(document);
    if (batch.length === BATCH_SIZE) {
      loaded += (await collection.insertMany(batch, { ordered: true })).insertedCount;
      batch = [];
    }
  }
  if (batch.length > 0) loaded += (await collection.insertMany(batch, { ordered: true })).insertedCount;
  return loaded;
}

const [folder, ...extra] = process.argv.slice(2);
if (!folder || extra.length > 0) {
  console.error('restore: usage: npm run restore -- <backup folder>   (MONGO_URL names the target database)');
  process.exit(1);
}
restore(folder, process.env.MONGO_URL || DEFAULT_MONGO_URL).catch((error) => {
  console.error(`restore: ${error instanceof BackupError ? '' : 'failed: '}${error.message}`);
  process.exit(1);
});
