import { Module } from '@nestjs/common';
import { ViralAnalysisController, ViralIdeasAdminController, ViralIdeasController } from './viral-ideas.controller';
import { ViralBatchService } from './viral-batch.service';
import { ViralIdeasService } from './viral-ideas.service';

/** The viral-ideas analysis product's API; its runs are `viral-ideas.analysis` jobs. */
@Module({
  controllers: [ViralIdeasController, ViralIdeasAdminController, ViralAnalysisController],
  providers: [ViralIdeasService, ViralBatchService],
})
export class ViralIdeasModule {}
