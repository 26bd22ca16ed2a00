import { Module } from '@nestjs/common';
import { DownstreamClient, OutboundModule } from '@conveyor/job-runtime';
import { WebsiteCreditsModule } from '../credits';
import { ContentGenerationHandler } from './content-generation.handler';
import { GenerationService } from './generation-service';
import { WebsiteAnalysisHandler } from './website-analysis.handler';

/** The website-content product's worker side: its two handlers and the generation service client. */
@Module({
  imports: [WebsiteCreditsModule, OutboundModule],
  providers: [WebsiteAnalysisHandler, ContentGenerationHandler, GenerationService, DownstreamClient],
})
export class WebsiteContentWorkerModule {}
