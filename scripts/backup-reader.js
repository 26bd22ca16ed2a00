/**
 * Reads and checks a backup folder written by the backup-data system task
 * (apps/worker/src/maintenance/tasks/backup-data.task.ts): its manifest, then every file's size,
 * SHA-256, Extended JSON lines and document count. scripts/restore.js verifies a whole backup
 * with it before writing anything.
 */
'use strict';

const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { pipeline } = require('node:stream');
const { createGunzip } = require('node:zlib');
const { EJSON } = require('bson');

/** The format backup-manifest.ts writes; a newer format is refused, not guessed at. */
const BACKUP_FORMAT = 'conveyor-backup/1';
const MANIFEST_FILE = 'manifest.json';

/** A backup that cannot be restored: the message is the one line restore.js prints. */
class BackupError extends Error {}

/** What is wrong with a parsed manifest.json, one phrase per problem (none: it can be read). */
function manifestProblems(manifest) {
  if (typeof manifest !== 'object' || manifest === null) return ['it is not an object'];
  if (manifest.format !== BACKUP_FORMAT) return [`format is ${JSON.stringify(manifest.format)}, not "${BACKUP_FORMAT}"`];
  if (!Array.isArray(manifest.collections)) return ['collections is not a list'];
  const problems = [];
  const seen = new Set();
  for (const [i, entry] of manifest.collections.entries()) {
    const where = `collections[${i}]`;
    if (typeof entry?.name !== 'string' || entry.name === '') problems.push(`${where}.name is missing`);
    else if (seen.has(entry.name)) problems.push(`${where}.name "${entry.name}" is listed twice`);
    else seen.add(entry.name);
    // A file outside the folder would be read from wherever the manifest points.
    if (typeof entry?.file !== 'string' || path.basename(entry.file) !== entry.file || !entry.file.endsWith('.jsonl.gz')) {
      problems.push(`${where}.file is not a .jsonl.gz file of the folder`);
    }
    if (!Number.isSafeInteger(entry?.count) || entry.count < 0) problems.push(`${where}.count is not a count`);
    if (!Number.isSafeInteger(entry?.bytes) || entry.bytes < 0) problems.push(`${where}.bytes is not a size`);
    if (!/^[0-9a-f]{64}$/.test(entry?.sha256 ?? '')) problems.push(`${where}.sha256 is not a SHA-256`);
  }
  return problems;
}

async function readManifest(folder) {
  const file = path.join(folder, MANIFEST_FILE);
  let manifest;
  try {
    manifest = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (error) {
    throw new BackupError(`${file} cannot be read (${error.code ?? error.message}): not a complete backup`, { cause: error });
  }
  const problems = manifestProblems(manifest);
  if (problems.length > 0) throw new BackupError(`${file} refused: ${problems.join('; ')}`);
  return manifest;
}

/** Checks one collection's file against its manifest entry: size, SHA-256, then every line and the count. */
async function verifyFile(folder, entry) {
  const file = path.join(folder, entry.file);
  const { bytes, sha256 } = await digestOf(file).catch((error) => {
    throw new BackupError(`${file} cannot be read (${error.code ?? error.message})`, { cause: error });
  });
  if (sha256 !== entry.sha256 || bytes !== entry.bytes) {
    throw new BackupError(`${file} is damaged: its SHA-256 or size differs from the manifest's`);
  }
  let count = 0;
  for await (const _document of documentsOf(folder, entry)) count++;
  if (count !== entry.count) throw new BackupError(`${file} holds ${count} documents, the manifest says ${entry.count}`);
}

/** A collection's documents, one at a time, as the server stored them (canonical EJSON keeps every BSON type). */
async function* documentsOf(folder, entry) {
  const file = path.join(folder, entry.file);
  let line = 0;
  for await (const text of linesOf(file)) {
    line++;
    try {
      yield EJSON.parse(text, { relaxed: false });
    } catch (error) {
      throw new BackupError(`${file} line ${line} is not Extended JSON: ${error.message}`, { cause: error });
    }
  }
}

async function* linesOf(file) {
  const text = pipeline(fs.createReadStream(file), createGunzip(), () => {});
  text.setEncoding('utf8');
  let rest = '';
  try {
    for await (const chunk of text) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      yield* lines;
    }
  } catch (error) {
    throw new BackupError(`${file} cannot be decompressed: ${error.message}`, { cause: error });
  }
  if (rest !== '') yield rest;
}

async function digestOf(file) {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

module.exports = { BACKUP_FORMAT, MANIFEST_FILE, BackupError, manifestProblems, readManifest, verifyFile, documentsOf };
