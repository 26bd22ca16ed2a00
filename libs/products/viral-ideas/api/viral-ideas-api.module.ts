import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, loadSettings } from '@conveyor/config';
import { VIRAL_IDEAS_SETTINGS, viralIdeasSettingsSchema } from '../contracts';
import { ViralRunsModule } from '../runs';
import { ViralAnalysisController, ViralIdeasAdminController, ViralIdeasController } from './viral-ideas.controller';
import { ViralBatchService } from './viral-batch.service';
import { ViralIdeasService } from './viral-ideas.service';

/** The viral-ideas product's API (seeds 000, 001); its runs are `viral-ideas.analysis` jobs. */
@Module({
  imports: [ViralRunsModule],
  controllers: [ViralIdeasController, ViralIdeasAdminController, ViralAnalysisController],
  providers: [
    {
      provide: VIRAL_IDEAS_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loadSettings(viralIdeasSettingsSchema, config),
    },
    ViralIdeasService,
    ViralBatchService,
  ],
})
export class ViralIdeasApiModule {}
