import { getConnectionToken } from '@nestjs/mongoose';
import { DataCipher, QueueName } from '@conveyor/contracts';
import { JobRecord, openedRecord } from '@conveyor/database';
import { BSONRegExp, Binary, Double, EJSON, Int32, Long } from 'bson';
import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Conveyor } from '../support/conveyor';
import { ROOT } from '../support/paths';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'backup-restore-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const OWNER = 'backup-owner';
const RESTORE = join(ROOT, 'scripts', 'restore.js');
const FOLDER_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{8}$/;

interface ManifestEntry {
  name: string;
  file: string;
  count: number;
  bytes: number;
  sha256: string;
}

/** Documents as canonical Extended JSON, BSON types kept (a double stays a double), in a stable order. */
async function documentsIn(db: Db, collection: string): Promise<string[]> {
  const documents = await db.collection(collection).find({}, { promoteValues: false, bsonRegExp: true }).toArray();
  return documents.map((d) => EJSON.stringify(d, { relaxed: false })).sort();
}

async function linesOf(folder: string, file: string): Promise<string[]> {
  return gunzipSync(await readFile(join(folder, file)))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

/** `node scripts/restore.js <folder>` against `mongoUrl`, as an operator runs it. */
function restore(folder: string, mongoUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [RESTORE, folder], { cwd: ROOT, env: { PATH: process.env.PATH, MONGO_URL: mongoUrl } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The backup-data system task and `npm run restore`: a backup triggered through the API holds every
 * collection, and restoring it into an empty database gives back the same documents, BSON types and
 * sealed job data included; a non-empty database and a damaged backup are refused before any write.
 */
describe('Backup and restore', () => {
  let conveyor: Conveyor;
  let target: TargetServer;
  let backupDir: string;
  let scratchDir: string;
  let backup: { folder: string; collections: number; documents: number; pruned: string[] };
  let manifest: { format: string; createdAt: string; database: string; collections: ManifestEntry[] };
  const jobIds: string[] = [];
  const databases: string[] = [];

  beforeAll(async () => {
    target = await TargetServer.start();
    target.respond((_req, res) => res.end('backed up'));
    backupDir = await mkdtemp(join(tmpdir(), 'conveyor-backups-'));
    scratchDir = await mkdtemp(join(tmpdir(), 'conveyor-backup-copies-'));
    conveyor = await Conveyor.start({
      workers: 1,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        BACKUP_DIR: backupDir,
        BACKUP_KEEP: '1',
        // Nothing writes to MongoDB by itself while a backup is compared with its source: no cron
        // run fires and no reconciliation sweep runs during the suite.
        SCHEDULER_TICK_MS: '3600000',
        RECONCILE_INTERVAL_MS: '3600000',
      },
    });
  });

  afterAll(async () => {
    for (const name of databases) await connection()?.getClient().db(name).dropDatabase();
    await conveyor?.close();
    await target?.close();
    for (const dir of [backupDir, scratchDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  const connection = () => conveyor?.app.get<Connection>(getConnectionToken());
  const source = () => connection().db!;

  /** A new database on the same server, dropped after the suite: its URL and its handle. */
  function emptyDatabase(): { url: string; db: Db } {
    const name = `${source().databaseName}_restored_${databases.length + 1}`;
    databases.push(name);
    const url = new URL(conveyor.env.MONGO_URL!);
    url.pathname = `/${name}`;
    return { url: url.toString(), db: connection().getClient().db(name) };
  }

  /** Triggers backup-data as an admin and waits for its maintenance job's result. */
  async function runBackup(): Promise<typeof backup> {
    const res = await conveyor.http().post('/api/v1/scheduler/jobs/backup-data/trigger').set(admin);
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ schedule: 'backup-data', queue: QueueName.Maintenance });
    const queue = conveyor.queue(QueueName.Maintenance);
    return waitFor(
      async () => {
        const job = await queue.getJob(res.body.data.jobId);
        if (job && (await job.getState()) === 'failed') throw new Error(`backup-data failed: ${job.failedReason}`);
        return job && (await job.isCompleted()) ? job.returnvalue : undefined;
      },
      { what: 'the backup-data run to complete', timeoutMs: 60_000 },
    );
  }

  it('writes every collection as checked gzipped Extended JSON lines, job data still sealed', async () => {
    for (const path of ['/a', '/b', '/c']) jobIds.push(await conveyor.submitHttpJob(OWNER, target.url(path)));
    for (const jobId of jobIds) await conveyor.waitForJob(jobId, OWNER, (job) => job.status === 'completed');
    // BSON types JSON would lose: a restore must give back a double, not an int, and so on.
    await source()
      .collection('backup_types')
      .insertOne({
        _id: 'types' as never,
        double: new Double(2),
        int32: new Int32(2),
        int64: Long.fromString('9007199254740993'),
        uuid: new Binary(Buffer.alloc(16, 9), Binary.SUBTYPE_UUID),
        pattern: new BSONRegExp('^a.c$', 'i'),
        at: new Date('2025-01-31T03:30:00.123Z'),
      });

    backup = await runBackup();
    expect(basename(backup.folder)).toMatch(FOLDER_NAME);
    // Renamed into place: no partial folder is left beside it.
    expect(await readdir(backupDir)).toEqual([basename(backup.folder)]);
    manifest = JSON.parse(await readFile(join(backup.folder, 'manifest.json'), 'utf8'));
    const listed = (await source().listCollections().toArray()).map((c) => c.name).filter((name) => !name.startsWith('system.'));
    expect(manifest).toMatchObject({ format: 'conveyor-backup/1', database: source().databaseName, createdAt: expect.any(String) });
    expect(manifest.collections.map((c) => c.name)).toEqual(listed.sort());
    expect(manifest.collections.map((c) => c.name)).toEqual(expect.arrayContaining(['jobs', 'schedules', 'backup_types']));
    expect(backup).toMatchObject({ collections: listed.length, documents: manifest.collections.reduce((sum, c) => sum + c.count, 0) });
    expect(await readdir(backup.folder)).toEqual(expect.arrayContaining(['manifest.json', ...manifest.collections.map((c) => c.file)]));

    for (const entry of manifest.collections) {
      const gz = await readFile(join(backup.folder, entry.file));
      expect({ name: entry.name, bytes: gz.length, sha256: createHash('sha256').update(gz).digest('hex') }).toEqual({
        name: entry.name,
        bytes: entry.bytes,
        sha256: entry.sha256,
      });
      const lines = await linesOf(backup.folder, entry.file);
      expect(lines).toHaveLength(entry.count);
      // The trigger records itself on the backup-data schedule while the run may already be reading
      // it: that one document may be newer in the source. Everything else stood still.
      const settled = (documents: string[]) => documents.filter((d) => !d.startsWith('{"_id":"backup-data",'));
      expect(settled(lines)).toEqual(settled(await documentsIn(source(), entry.name)));
    }

    const jobs = (await linesOf(backup.folder, 'jobs.jsonl.gz')).map((line) => EJSON.parse(line, { relaxed: false }) as JobRecord);
    const backedUp = jobs.filter((j) => jobIds.includes(j._id));
    expect(backedUp).toHaveLength(3);
    for (const job of backedUp) {
      expect(job.createdAt).toBeInstanceOf(Date);
      // Stored sealed (DATA_ENCRYPTION_KEYS), so backed up sealed: no target URL in plain text.
      expect(job.data).toEqual(expect.stringMatching(/^enc:v1:e2e:/));
    }
    expect((await readFile(join(backup.folder, 'jobs.jsonl.gz'))).includes(target.url('/a'))).toBe(false);
  });

  it('restores into an empty database the very documents the backup holds, readable with the same keys', async () => {
    const { url, db } = emptyDatabase();
    const run = await restore(backup.folder, url);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    for (const entry of manifest.collections) {
      expect(run.stdout).toContain(`  ${entry.name}: ${entry.count} documents`);
      expect({ name: entry.name, documents: await documentsIn(db, entry.name) }).toEqual({
        name: entry.name,
        documents: await linesOf(backup.folder, entry.file),
      });
    }
    expect(await documentsIn(db, 'backup_types')).toEqual(await documentsIn(source(), 'backup_types'));

    const restoredJob = (await db.collection('jobs').findOne({ _id: jobIds[0] as never })) as unknown as JobRecord;
    expect(openedRecord(conveyor.app.get(DataCipher), restoredJob).data).toMatchObject({ url: target.url('/a'), method: 'GET' });
  });

  it('refuses a database that already holds documents, and writes nothing', async () => {
    const { url, db } = emptyDatabase();
    await db.collection('schedules').insertOne({ _id: 'operator-made' as never });
    const run = await restore(backup.folder, url);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^restore: refused: .*already holds documents in schedules;/)]);
    expect((await db.listCollections().toArray()).map((c) => c.name)).toEqual(['schedules']);
    expect(await db.collection('schedules').find().toArray()).toEqual([{ _id: 'operator-made' }]);

    // The live database itself is refused just the same.
    expect((await restore(backup.folder, conveyor.env.MONGO_URL!)).code).toBe(1);
  });

  it('refuses a backup with one changed byte before writing anything', async () => {
    const copy = join(scratchDir, basename(backup.folder));
    await cp(backup.folder, copy, { recursive: true });
    // The last file: a restore that checked each file only as it loaded it would have written the others.
    const last = manifest.collections.filter((c) => c.count > 0).at(-1)!;
    const gz = await readFile(join(copy, last.file));
    gz[Math.floor(gz.length / 2)] ^= 0x01;
    await writeFile(join(copy, last.file), gz);

    const { url, db } = emptyDatabase();
    const run = await restore(copy, url);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `restore: ${join(copy, last.file)} is damaged: its SHA-256 or size differs from the manifest's`,
    ]);
    expect(await db.listCollections().toArray()).toEqual([]);
  });

  it('keeps only the newest BACKUP_KEEP backups', async () => {
    const next = await runBackup();
    expect(next.pruned).toEqual([basename(backup.folder)]);
    expect(await readdir(backupDir)).toEqual([basename(next.folder)]);
  });
});
