import { Inject, Injectable } from '@nestjs/common';
import { messageOf, ownerKey } from '@conveyor/contracts';
import { DownstreamError, JobContext, JobHandler, JobHandlerContract, OutboundHttp, PermanentJobError } from '@conveyor/job-runtime';
import {
  ScenarioDoc,
  WEBSITE_CONTENT_SETTINGS,
  WebsiteAnalysisPayload,
  WebsiteAnalysisResult,
  WebsiteAnalysisStep,
  WebsiteContentSettings,
  websiteAnalysisJob,
} from '../contracts';
import { WebsiteContentRepository } from '../data';
import { GenerationService } from './generation-service';
import { crawlSite } from './site-crawl';

export const NO_GENERATION_NOTE =
  'No generation service is configured (GENERATION_SERVICE_URL): audiences, pitches and images were not generated.';

/**
 * Analyses a website (fetched and parsed here), keeps the analysis and its calls to action for
 * the caller's organization, then asks the generation service for audiences, pitches per audience
 * and an image per audience. Without that service the last three steps pass with a note.
 */
@JobHandler()
@Injectable()
export class WebsiteAnalysisHandler implements JobHandlerContract<WebsiteAnalysisPayload, WebsiteAnalysisResult> {
  readonly definition = websiteAnalysisJob;

  constructor(
    private readonly http: OutboundHttp,
    private readonly repository: WebsiteContentRepository,
    private readonly generation: GenerationService,
    @Inject(WEBSITE_CONTENT_SETTINGS) private readonly settings: WebsiteContentSettings,
  ) {}

  async run(ctx: JobContext<WebsiteAnalysisPayload>): Promise<WebsiteAnalysisResult> {
    if (!ctx.owner) throw new PermanentJobError('The job does not say who submitted it; submit it again');
    const owner = ctx.owner;
    const notes: string[] = [];
    const { facts, ctas, organizationId } = await ctx.step(WebsiteAnalysisStep.Analyze, async (signal) => {
      const crawl = await crawlSite(this.http, ctx.payload.url, this.settings, signal, (done, total) =>
        ctx.reportStepProgress(done / total),
      );
      const organization = await this.repository.organizationOf(ownerKey(owner));
      await this.repository.saveAnalysis(ctx.jobId, organization._id, ctx.payload.url, crawl.facts);
      await this.repository.saveCtas(organization._id, crawl.ctas);
      return { ...crawl, organizationId: organization._id };
    });
    if (!this.generation.configured) notes.push(NO_GENERATION_NOTE);
    const audiences = await ctx.step(WebsiteAnalysisStep.Audiences, (signal) =>
      this.generation.configured ? this.generation.audiences(facts, signal) : Promise.resolve([]),
    );
    const scenarios: ScenarioDoc[] = await ctx.step(WebsiteAnalysisStep.Pitches, async (signal) => {
      const made: ScenarioDoc[] = [];
      for (const audience of audiences) {
        made.push({ audience, pitches: await this.generation.pitches(facts, audience, signal), imageUrl: null });
        await ctx.reportStepProgress(made.length / audiences.length);
      }
      return made;
    });
    await ctx.step(WebsiteAnalysisStep.Images, async (signal) => {
      for (const [index, scenario] of scenarios.entries()) {
        try {
          scenario.imageUrl = await this.generation.image({ audience: scenario.audience, pitch: scenario.pitches[0] }, signal);
        } catch (error) {
          // An image is an illustration: its failure is told, not fatal to the analysis.
          if (!(error instanceof DownstreamError)) throw error;
          notes.push(`No image for audience "${scenario.audience.name}": ${messageOf(error)}`);
        }
        await ctx.reportStepProgress((index + 1) / scenarios.length);
      }
    });
    return { analysis: facts, scenarios, ctas, organizationId, notes };
  }
}
