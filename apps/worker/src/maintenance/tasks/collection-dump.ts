import { EJSON } from 'bson';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Collection } from 'mongodb';

/** Documents fetched per round trip while streaming a collection. */
const BATCH_SIZE = 500;

export interface DumpedFile {
  count: number;
  bytes: number;
  sha256: string;
}

/**
 * Streams every document of `collection` into `path` as gzip-compressed canonical Extended JSON,
 * one document per line: never the whole collection in memory. Numbers are read as their BSON
 * types (promoteValues off) so a double stays a double, an int32 an int32, through a restore.
 */
export async function dumpCollection(collection: Collection, path: string): Promise<DumpedFile> {
  let count = 0;
  let bytes = 0;
  const hash = createHash('sha256');
  async function* lines(): AsyncGenerator<string> {
    for await (const document of collection.find({}, { batchSize: BATCH_SIZE, promoteValues: false, bsonRegExp: true })) {
      count++;
      yield `${EJSON.stringify(document, { relaxed: false })}\n`;
    }
  }
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(Readable.from(lines()), createGzip(), measure, createWriteStream(path, { flags: 'wx' }));
  return { count, bytes, sha256: hash.digest('hex') };
}
