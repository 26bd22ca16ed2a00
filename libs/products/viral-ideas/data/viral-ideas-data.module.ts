import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ViralCompetitor, ViralCompetitorSchema } from './viral-competitor.schema';
import { ViralEntry, ViralEntrySchema } from './viral-entry.schema';
import { ViralEntryIndexMigration } from './viral-entry-index-migration';
import { ViralIdeasRepository } from './viral-ideas.repository';
import { ViralResult, ViralResultSchema } from './viral-result.schema';

/**
 * The product's collections (entries, competitors, results) on the platform's MongoDB connection,
 * and the boot step that drops an index older versions created (ViralEntryIndexMigration).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ViralEntry.name, schema: ViralEntrySchema },
      { name: ViralCompetitor.name, schema: ViralCompetitorSchema },
      { name: ViralResult.name, schema: ViralResultSchema },
    ]),
  ],
  providers: [ViralIdeasRepository, ViralEntryIndexMigration],
  exports: [ViralIdeasRepository],
})
export class ViralIdeasDataModule {}
