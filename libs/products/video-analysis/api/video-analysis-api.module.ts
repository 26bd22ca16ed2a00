import { Module } from '@nestjs/common';
import { VideoAnalysisDataModule } from '../data';
import { VideoRunsModule } from '../runs';
import { VideoAnalysisController } from './video-analysis.controller';
import { VideoAnalysisService } from './video-analysis.service';

/** The video-analysis product's API (seed 002). */
@Module({
  imports: [VideoAnalysisDataModule, VideoRunsModule],
  controllers: [VideoAnalysisController],
  providers: [VideoAnalysisService],
})
export class VideoAnalysisApiModule {}
