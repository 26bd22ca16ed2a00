import { BACKUP_FORMAT, BackupManifest, backupFileOf, buildManifest, collectionsToBackUp } from './backup-manifest';

// The restore script's reader (plain Node): what the task writes, it must accept.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reader = require('../../../../../scripts/backup-reader') as {
  BACKUP_FORMAT: string;
  manifestProblems(manifest: unknown): string[];
};

const SHA = 'ab'.repeat(32);
const entry = (name: string, count = 2) => ({ name, file: backupFileOf(name), count, bytes: 40, sha256: SHA });

describe('collectionsToBackUp', () => {
  it('is every collection but the server’s own and views, by name', () => {
    const listed = [
      { name: 'schedules', type: 'collection' },
      { name: 'jobs', type: 'collection' },
      { name: 'system.views', type: 'collection' },
      { name: 'jobs_by_owner', type: 'view' },
      { name: 'fan_outs' },
    ];
    expect(collectionsToBackUp(listed)).toEqual(['fan_outs', 'jobs', 'schedules']);
  });
});

describe('backupFileOf', () => {
  it('names a collection’s file inside the folder, whatever the collection is called', () => {
    expect(backupFileOf('jobs')).toBe('jobs.jsonl.gz');
    expect(backupFileOf('../etc/x')).toBe('..%2Fetc%2Fx.jsonl.gz');
  });
});

describe('buildManifest', () => {
  const manifest = buildManifest('conveyor', new Date('2025-01-31T03:30:00.000Z'), [entry('schedules'), entry('jobs', 5)]);

  it('records the format, time, database and each collection’s file, count, size and hash, by name', () => {
    expect(manifest).toEqual({
      format: 'conveyor-backup/1',
      createdAt: '2025-01-31T03:30:00.000Z',
      database: 'conveyor',
      collections: [entry('jobs', 5), entry('schedules')],
    });
  });

  it('is what the restore script accepts', () => {
    expect(reader.BACKUP_FORMAT).toBe(BACKUP_FORMAT);
    expect(reader.manifestProblems(JSON.parse(JSON.stringify(manifest)))).toEqual([]);
  });

  it('is refused by the restore script when changed in any way that would mislead it', () => {
    const changed = (change: (m: BackupManifest) => void) => {
      const copy = JSON.parse(JSON.stringify(manifest)) as BackupManifest;
      change(copy);
      return reader.manifestProblems(copy);
    };
    expect(changed((m) => ((m as { format: string }).format = 'conveyor-backup/2'))).toEqual([
      'format is "conveyor-backup/2", not "conveyor-backup/1"',
    ]);
    expect(changed((m) => (m.collections[0].file = '../../outside.jsonl.gz'))).toEqual([
      'collections[0].file is not a .jsonl.gz file of the folder',
    ]);
    expect(changed((m) => (m.collections[1].name = 'jobs'))).toEqual(['collections[1].name "jobs" is listed twice']);
    expect(changed((m) => (m.collections[0].count = -1))).toEqual(['collections[0].count is not a count']);
    expect(changed((m) => (m.collections[0].sha256 = 'abc'))).toEqual(['collections[0].sha256 is not a SHA-256']);
    expect(reader.manifestProblems(null)).toEqual(['it is not an object']);
  });
});
