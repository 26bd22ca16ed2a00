import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { APP_CONFIG, AppConfig, loadSettings } from '@conveyor/config';
import { errorField } from '@conveyor/contracts';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupSettings, backupSettingsSchema } from './backup-data.settings';
import { backupFolderName, foldersToPrune, partialFolderName } from './backup-folders';
import { BackupFileEntry, MANIFEST_FILE, backupFileOf, buildManifest, collectionsToBackUp } from './backup-manifest';
import { dumpCollection } from './collection-dump';

/**
 * Writes every collection of Conveyor's database into a new folder of BACKUP_DIR: one
 * `<collection>.jsonl.gz` each (canonical Extended JSON lines) and a `manifest.json` with counts
 * and SHA-256s, which `npm run restore` checks before loading anything. The folder is written under
 * a `.partial` name and renamed at the end, so a crashed backup never looks complete; the oldest
 * complete backups beyond BACKUP_KEEP are then deleted.
 *
 * Documents are copied as stored: job payloads and results sealed with DATA_ENCRYPTION_KEYS stay
 * sealed in the backup, so a restore is readable only by a deployment holding the same keys.
 * Collections are read one after another while jobs run: each document is as it was when read.
 */
@SystemTaskProvider()
@Injectable()
export class BackupDataTask implements SystemTask, OnModuleInit {
  readonly schedule = {
    name: 'backup-data',
    cron: '30 3 * * *',
    description:
      'Writes every MongoDB collection as gzipped Extended JSON lines with a checked manifest into BACKUP_DIR; keeps BACKUP_KEEP',
  };

  private readonly logger = new Logger(BackupDataTask.name);
  private settings!: BackupSettings;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  onModuleInit(): void {
    // Read at boot, so a bad BACKUP_KEEP stops the worker with one line instead of failing at 03:30.
    this.settings = loadSettings(backupSettingsSchema, this.config);
  }

  async run(): Promise<object> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB is not connected: no backup written');
    const startedAt = new Date();
    const name = backupFolderName(startedAt, randomBytes(4).toString('hex'));
    const partial = join(this.settings.dir, partialFolderName(name));
    await mkdir(partial, { recursive: true });
    const entries: BackupFileEntry[] = [];
    try {
      for (const collection of collectionsToBackUp(await db.listCollections().toArray())) {
        const file = backupFileOf(collection);
        entries.push({ name: collection, file, ...(await dumpCollection(db.collection(collection), join(partial, file))) });
      }
      const manifest = buildManifest(db.databaseName, startedAt, entries);
      await writeFile(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
      await rename(partial, join(this.settings.dir, name));
    } catch (error) {
      // A retry starts a new folder; this one would only take space.
      await rm(partial, { recursive: true, force: true }).catch((cleanup) =>
        this.logger.warn(errorField(cleanup), `Partial backup ${partial} not removed`),
      );
      throw error;
    }
    const folder = join(this.settings.dir, name);
    return {
      folder,
      collections: entries.length,
      documents: entries.reduce((sum, e) => sum + e.count, 0),
      pruned: await this.prune(),
    };
  }

  /** Deletes old backups; a failure is logged, not thrown: the backup succeeded and must not run again. */
  private async prune(): Promise<string[]> {
    try {
      const entries = await readdir(this.settings.dir, { withFileTypes: true });
      const old = foldersToPrune(
        entries.filter((e) => e.isDirectory()).map((e) => e.name),
        this.settings.keep,
        new Date(),
      );
      for (const name of old) await rm(join(this.settings.dir, name), { recursive: true, force: true });
      return old;
    } catch (error) {
      this.logger.warn(errorField(error), `Old backups in ${this.settings.dir} not deleted`);
      return [];
    }
  }
}
