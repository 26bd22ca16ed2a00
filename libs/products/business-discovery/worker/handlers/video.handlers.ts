import { Injectable } from '@nestjs/common';
import { FanInChild, JobStatus } from '@conveyor/contracts';
import { JobContext, JobHandler, JobHandlerContract, PermanentJobError } from '@conveyor/job-runtime';
import { openingLine } from '../../../viral-ideas/worker';
import { Highlight, MediaFacts, VideoPipeline, probeMedia } from '../../../video-analysis/worker';
import {
  AnalyzeVideoContentPayload,
  GENERATE_COMPETITOR_REPORT,
  GENERATE_TREND_ANALYSIS,
  GenerateInsightsPayload,
  InsightsStep,
  READING_VIDEO,
  StoredVideoPayload,
  analyzeVideoContentJob,
  extractMetadataJob,
  generateInsightsJob,
} from '../../contracts';
import { DiscoveriesRepository, VideoFindings } from '../../data';
import { businessInsights } from '../insights';
import { ownerKeyOf } from '../job-owner';
import { VideoStore } from '../video-store';

const DEFAULT_MAX_HIGHLIGHTS = 5;

export interface VideoContentResult {
  analysisType: 'comprehensive';
  checksum: string;
  videoId: string | null;
  media: MediaFacts;
  highlights: Highlight[];
  transcriptSegments: number | null;
  transcriptOpening: string | null;
  notes: string[];
}

/** Seed 004's `analyze-video-content`: the video-analysis product's pipeline on a stored video. */
@JobHandler()
@Injectable()
export class AnalyzeVideoContentHandler implements JobHandlerContract<AnalyzeVideoContentPayload, VideoContentResult> {
  readonly definition = analyzeVideoContentJob;

  constructor(
    private readonly store: VideoStore,
    private readonly pipeline: VideoPipeline,
    private readonly discoveries: DiscoveriesRepository,
  ) {}

  /** The payload's checksum, or the video this caller stored under its videoId. */
  private async checksumOf(owner: string, payload: AnalyzeVideoContentPayload): Promise<string> {
    if (payload.checksum) return payload.checksum;
    const named = await this.discoveries.checksumNamed(owner, payload.videoId!);
    if (!named)
      throw new PermanentJobError(
        `No video named "${payload.videoId}" stored by this caller: store it first (download-video with reelId "${payload.videoId}"), or send its checksum`,
      );
    return named;
  }

  async run(ctx: JobContext<AnalyzeVideoContentPayload>): Promise<VideoContentResult> {
    const owner = ownerKeyOf(ctx);
    const { checksum, path, media } = await ctx.step(READING_VIDEO, async (signal) => {
      const checksum = await this.checksumOf(owner, ctx.payload);
      const path = await this.store.pathFor(owner, checksum);
      return { checksum, path, media: await probeMedia(path, signal) };
    });
    const notes: string[] = [];
    const analysed = await this.store.withJobFolder(ctx, (workDir) =>
      this.pipeline.analyse(
        { videoPath: path, workDir, media, chat: null, maxHighlights: ctx.payload.maxHighlights ?? DEFAULT_MAX_HIGHLIGHTS },
        { stage: (name, work) => ctx.step(name, work), within: (fraction) => ctx.reportStepProgress(fraction) },
        notes,
      ),
    );
    const segments = analysed.transcript?.segments ?? null;
    return {
      analysisType: 'comprehensive',
      checksum,
      videoId: ctx.payload.videoId ?? null,
      media,
      highlights: analysed.highlights,
      transcriptSegments: segments?.length ?? null,
      transcriptOpening: segments && segments.length > 0 ? openingLine(segments.map((s) => s.text).join(' ')) : null,
      notes,
    };
  }
}

/** Seed 004's `extract-metadata`: ffprobe's facts about a stored video. */
@JobHandler()
@Injectable()
export class ExtractMetadataHandler implements JobHandlerContract<StoredVideoPayload> {
  readonly definition = extractMetadataJob;

  constructor(private readonly store: VideoStore) {}

  async run(ctx: JobContext<StoredVideoPayload>): Promise<{ checksum: string; media: MediaFacts }> {
    const owner = ownerKeyOf(ctx);
    return ctx.step(READING_VIDEO, async (signal) => {
      const path = await this.store.pathFor(owner, ctx.payload.checksum);
      return { checksum: ctx.payload.checksum, media: await probeMedia(path, signal) };
    });
  }
}

/**
 * Seed 004's `generate-insights`: each business's videos get their analyses (the fan-in's
 * children, by checksum), then its insights (hooks, cadence, peaks); then the trend analysis runs,
 * and the competitor report after it.
 */
@JobHandler()
@Injectable()
export class GenerateInsightsHandler implements JobHandlerContract<GenerateInsightsPayload> {
  readonly definition = generateInsightsJob;

  constructor(private readonly discoveries: DiscoveriesRepository) {}

  async run(ctx: JobContext<GenerateInsightsPayload>) {
    const owner = ownerKeyOf(ctx);
    const { discoveryId } = ctx.payload;
    const analyses = await ctx.step(InsightsStep.ReadAnalyses, async () => findingsByChecksum(await ctx.fanInChildren()));
    const built = await ctx.step(InsightsStep.BuildInsights, async () => {
      const businesses = await this.discoveries.ofDiscovery(owner, discoveryId);
      if (businesses.length === 0 && !(await this.discoveries.discovery(owner, discoveryId)))
        throw new PermanentJobError(`Discovery ${discoveryId} not found`);
      const summaries = [];
      for (const business of businesses) {
        const videos = business.videos.map((v) => ({ ...v, analysis: analyses.get(v.checksum) ?? v.analysis }));
        if (videos.length > 0) await this.discoveries.saveVideos(owner, discoveryId, business.key, videos);
        const reels = business.instagram?.ranking?.reels ?? [];
        if (reels.length === 0) continue;
        const insights = businessInsights(reels, videos);
        await this.discoveries.saveInsights(owner, discoveryId, business.key, insights);
        summaries.push({
          key: business.key,
          name: business.place.name,
          postsPerWeek: insights.cadence.postsPerWeek,
          hooks: insights.bestHooks.length,
          peaks: insights.peaks.length,
        });
      }
      return summaries;
    });
    const started = await ctx.step(InsightsStep.StartReport, () =>
      ctx.fanOut({
        children: [{ key: 'trends', type: GENERATE_TREND_ANALYSIS, data: { discoveryId } }],
        continuation: { type: GENERATE_COMPETITOR_REPORT, data: { discoveryId } },
        onChildFailure: 'continue',
      }),
    );
    return { discoveryId, videosAnalysed: analyses.size, businesses: built, report: started.continuationId };
  }
}

/** What each completed analysis child found, by checksum (failed ones are left out: their videos show no analysis). */
function findingsByChecksum(children: readonly FanInChild[]): Map<string, VideoFindings> {
  const found = new Map<string, VideoFindings>();
  for (const child of children) {
    if (child.status !== JobStatus.Completed || !child.result) continue;
    const result = child.result as VideoContentResult;
    found.set(result.checksum, {
      durationSeconds: result.media.duration_seconds,
      highlights: result.highlights.map(({ start_seconds, end_seconds, score }) => ({ start_seconds, end_seconds, score })),
      transcriptOpening: result.transcriptOpening,
      notes: result.notes,
    });
  }
  return found;
}
