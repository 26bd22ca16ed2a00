/** The format scripts/restore.js reads (scripts/backup-reader.js checks the same name). */
export const BACKUP_FORMAT = 'conveyor-backup/1';
export const MANIFEST_FILE = 'manifest.json';

/** One collection's file: its documents counted, and the .gz file's size and SHA-256. */
export interface BackupFileEntry {
  name: string;
  file: string;
  count: number;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  database: string;
  collections: BackupFileEntry[];
}

/** A collection as listCollections describes it. */
export interface ListedCollection {
  name: string;
  type?: string;
}

/** The collections a backup holds: every one but the server's own (`system.*`) and views (they hold no documents). */
export function collectionsToBackUp(listed: readonly ListedCollection[]): string[] {
  return listed
    .filter((c) => !c.name.startsWith('system.') && (c.type ?? 'collection') === 'collection')
    .map((c) => c.name)
    .sort();
}

/** Encoded so that no collection name can reach outside the backup folder. */
export function backupFileOf(collection: string): string {
  return `${encodeURIComponent(collection)}.jsonl.gz`;
}

export function buildManifest(database: string, createdAt: Date, entries: readonly BackupFileEntry[]): BackupManifest {
  return {
    format: BACKUP_FORMAT,
    createdAt: createdAt.toISOString(),
    database,
    collections: [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}
