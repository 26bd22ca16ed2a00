import { backupFolderName, foldersToPrune, partialFolderName } from './backup-folders';

const DAY_MS = 24 * 60 * 60_000;
const now = new Date('2025-03-10T12:00:00.000Z');
const folderAt = (iso: string, runId = '0a1b2c3d') => backupFolderName(new Date(iso), runId);

describe('backupFolderName', () => {
  it('is the start time, safe in file names, then the run id; names sort by time', () => {
    expect(folderAt('2025-01-31T03:30:00.042Z', 'deadbeef')).toBe('2025-01-31T03-30-00-042Z-deadbeef');
    const names = ['2025-02-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z', '2025-01-31T03:30:00.000Z'].map((iso) => folderAt(iso));
    expect([...names].sort()).toEqual([names[1], names[2], names[0]]);
  });

  it('refuses a run id that is not 8 hex digits (it would not be recognised when pruning)', () => {
    expect(() => backupFolderName(now, '../x')).toThrow('8 hex digits');
  });
});

describe('foldersToPrune', () => {
  const backups = ['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04'].map((day) => folderAt(`${day}T03:30:00.000Z`));

  it('keeps the newest `keep` complete backups and deletes the older ones', () => {
    expect(foldersToPrune([backups[2], backups[0], backups[3], backups[1]], 2, now).sort()).toEqual([backups[0], backups[1]]);
    expect(foldersToPrune(backups, 4, now)).toEqual([]);
    expect(foldersToPrune(backups, 10, now)).toEqual([]);
  });

  it('deletes partial folders left by crashed runs a day ago, never one that may still be written', () => {
    const crashed = partialFolderName(backupFolderName(new Date(now.getTime() - DAY_MS - 1000), 'aaaaaaaa'));
    const running = partialFolderName(backupFolderName(new Date(now.getTime() - 60_000), 'bbbbbbbb'));
    expect(foldersToPrune([...backups, crashed, running], 4, now)).toEqual([crashed]);
  });

  it('never touches a folder it did not name', () => {
    const foreign = ['notes', 'old-backups', '2025-03-01', `${backups[0]}-copy`, 'x.partial'];
    expect(foldersToPrune([...foreign, backups[3]], 1, now)).toEqual([]);
  });
});
