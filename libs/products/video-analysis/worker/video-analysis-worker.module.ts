import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, loadSettings } from '@conveyor/config';
import { DownstreamClient, OutboundModule } from '@conveyor/job-runtime';
import { VIDEO_ANALYSIS_SETTINGS, videoAnalysisSettingsSchema } from '../contracts';
import { VideoAnalysisDataModule } from '../data';
import { VideoRunsModule } from '../runs';
import { StorageSweep } from './storage-sweep';
import { TranscriptService } from './transcript-service';
import { VideoAnalysisHandler } from './video-analysis.handler';
import { VideoPipeline } from './video-pipeline';

/** The video-analysis product's worker side: its handler and the transcript service client. */
@Module({
  imports: [VideoAnalysisDataModule, VideoRunsModule, OutboundModule],
  providers: [
    {
      provide: VIDEO_ANALYSIS_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loadSettings(videoAnalysisSettingsSchema, config),
    },
    VideoAnalysisHandler,
    StorageSweep,
    TranscriptService,
    VideoPipeline,
    DownstreamClient,
  ],
  exports: [VideoPipeline],
})
export class VideoAnalysisWorkerModule {}
