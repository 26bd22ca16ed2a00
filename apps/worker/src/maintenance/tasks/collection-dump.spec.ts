import { Binary, Double, EJSON, Int32, Long, ObjectId } from 'bson';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { backupFileOf } from './backup-manifest';
import { dumpCollection } from './collection-dump';
import { createHash } from 'node:crypto';

// The restore script's reader (plain Node): it must read back exactly what the dump wrote.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reader = require('../../../../../scripts/backup-reader') as {
  verifyFile(folder: string, entry: object): Promise<void>;
  documentsOf(folder: string, entry: object): AsyncIterable<object>;
};

const DOCUMENTS = [
  {
    _id: new ObjectId(),
    at: new Date('2025-01-31T03:30:00.000Z'),
    ratio: new Double(1),
    tries: new Int32(3),
    big: Long.fromString('9007199254740993'),
  },
  {
    _id: 'job-2',
    data: 'enc:v1:k1:c2VhbGVk',
    note: 'two\nlines and ünïcode \u2028',
    blob: new Binary(Buffer.alloc(16, 7), 4),
    bytes: new Binary(Buffer.from([0, 1, 2])),
  },
  { _id: 'job-3', nested: { list: [1, 'a', null, { deep: true }] } },
];

/** A collection whose find() streams these documents, as the driver's cursor does. */
const collectionOf = (documents: object[]) =>
  ({
    find: () => ({
      async *[Symbol.asyncIterator]() {
        yield* documents;
      },
    }),
  }) as never;

describe(dumpCollection.name, () => {
  let folder: string;
  const file = backupFileOf('jobs');

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'conveyor-dump-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('writes one canonical Extended JSON line per document, gzipped, with its count, size and SHA-256', async () => {
    const dumped = await dumpCollection(collectionOf(DOCUMENTS), join(folder, file));
    const gz = await readFile(join(folder, file));
    expect(dumped).toEqual({ count: 3, bytes: gz.length, sha256: createHash('sha256').update(gz).digest('hex') });
    const lines = gunzipSync(gz).toString('utf8').split('\n');
    expect(lines).toEqual([...DOCUMENTS.map((d) => EJSON.stringify(d, { relaxed: false })), '']);
    expect(lines[0]).toContain('{"$numberDouble":"1.0"}');
  });

  it('is read back by the restore script with every BSON type as it was', async () => {
    const entry = { name: 'jobs', file, ...(await dumpCollection(collectionOf(DOCUMENTS), join(folder, file))) };
    await expect(reader.verifyFile(folder, entry)).resolves.toBeUndefined();
    const restored: object[] = [];
    for await (const document of reader.documentsOf(folder, entry)) restored.push(document);
    expect(restored.map((d) => EJSON.stringify(d, { relaxed: false }))).toEqual(
      DOCUMENTS.map((d) => EJSON.stringify(d, { relaxed: false })),
    );
  });

  it('is refused by the restore script when one byte changed or the count differs', async () => {
    const entry = { name: 'jobs', file, ...(await dumpCollection(collectionOf(DOCUMENTS), join(folder, file))) };
    await expect(reader.verifyFile(folder, { ...entry, count: 4 })).rejects.toThrow('holds 3 documents, the manifest says 4');
    const gz = await readFile(join(folder, file));
    gz[Math.floor(gz.length / 2)] ^= 0xff;
    await writeFile(join(folder, file), gz);
    await expect(reader.verifyFile(folder, entry)).rejects.toThrow('is damaged');
  });

  it('writes an empty collection as an empty file that still reads back', async () => {
    const entry = { name: 'jobs', file, ...(await dumpCollection(collectionOf([]), join(folder, file))) };
    expect(entry.count).toBe(0);
    await expect(reader.verifyFile(folder, entry)).resolves.toBeUndefined();
  });

  it('never overwrites a file', async () => {
    await writeFile(join(folder, file), 'older');
    await expect(dumpCollection(collectionOf(DOCUMENTS), join(folder, file))).rejects.toThrow('EEXIST');
  });
});
