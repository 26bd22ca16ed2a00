import { Inject, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, loadSettings } from '@conveyor/config';
import { RouteLimits } from '@conveyor/http';
import { videoAnalysisSettingsSchema } from '../contracts';
import { VideoAnalysisDataModule } from '../data';
import { VideoRunsModule } from '../runs';
import { ANALYSIS_SUBMIT_LIMIT, VideoAnalysisController } from './video-analysis.controller';
import { VideoAnalysisService } from './video-analysis.service';

/** The video-analysis product's API (seed 002). */
@Module({
  imports: [VideoAnalysisDataModule, VideoRunsModule],
  controllers: [VideoAnalysisController],
  providers: [VideoAnalysisService],
})
export class VideoAnalysisApiModule {
  constructor(@Inject(APP_CONFIG) config: AppConfig, limits: RouteLimits) {
    const { submitIpLimitPerMinute } = loadSettings(videoAnalysisSettingsSchema, config);
    limits.define(ANALYSIS_SUBMIT_LIMIT, { limit: submitIpLimitPerMinute, windowMs: 60_000, per: 'ip' });
  }
}
