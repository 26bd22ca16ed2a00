import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { LEGACY_VIRAL_SESSION_INDEX, ViralEntry } from './viral-entry.schema';

/** MongoDB's and FerretDB's code for "no index of that name" (another process dropped it first). */
const INDEX_NOT_FOUND = 27;

/**
 * Drops the global unique index on `session_id` that databases created before sessions became
 * unique per owner. Mongoose's automatic index build adds the new (session_id, owner_key) index but
 * never removes an old one, which would go on refusing another owner's session with 409. Only that
 * named index is dropped (not `syncIndexes`, which would also drop indexes an operator added).
 * Runs in every process at boot (API and worker); the new index is built first, so uniqueness
 * per owner never lapses, and a boot whose index build fails stops instead of running without it.
 */
@Injectable()
export class ViralEntryIndexMigration implements OnModuleInit {
  private readonly logger = new Logger(ViralEntryIndexMigration.name);

  constructor(@InjectModel(ViralEntry.name) private readonly model: Model<ViralEntry>) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
    const indexes = await this.model.collection.indexes();
    if (!indexes.some((index) => index.name === LEGACY_VIRAL_SESSION_INDEX)) return;
    try {
      await this.model.collection.dropIndex(LEGACY_VIRAL_SESSION_INDEX);
      this.logger.log(`Dropped the global unique index ${LEGACY_VIRAL_SESSION_INDEX} of ${this.model.collection.collectionName}`);
    } catch (error) {
      if ((error as { code?: unknown }).code !== INDEX_NOT_FOUND) throw error;
    }
  }
}
