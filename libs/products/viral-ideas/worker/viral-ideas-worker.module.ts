import { Module } from '@nestjs/common';
import { ViralRunsModule } from '../runs';
import { DownstreamClient } from '@conveyor/job-runtime';
import { ViralIdeasAnalysisHandler } from './viral-ideas-analysis.handler';
import { ViralIdeasRerunsTask } from './viral-ideas-reruns.task';
import { ViralServices } from './viral-services';

/** The viral-ideas product's worker side: the analysis handler and the re-run system task. */
@Module({
  imports: [ViralRunsModule],
  providers: [ViralIdeasAnalysisHandler, ViralIdeasRerunsTask, DownstreamClient, ViralServices],
})
export class ViralIdeasWorkerModule {}
