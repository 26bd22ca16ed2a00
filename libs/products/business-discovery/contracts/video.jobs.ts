import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min, ValidateIf } from 'class-validator';
import { defineJobType } from '@conveyor/contracts';
import { VIDEO_ANALYSIS_QUEUE, VideoStage } from '../../video-analysis/contracts';
import { SHA256_HEX } from './payload-rules';
import { StoredVideoPayload } from './scraping.jobs';
import { AnalyzeVideoContentResult, ExtractMetadataResult, GenerateInsightsResult } from './business-discovery.results';

/** The analysis analyze-video-content runs; seed 004 sends `analysisType: "comprehensive"`. */
export const ANALYSIS_TYPES = ['comprehensive'] as const;

export class AnalyzeVideoContentPayload {
  @ApiPropertyOptional({
    description: 'SHA-256 of a video this caller stored (download-video’s `checksum`). Required unless `videoId` names one',
    pattern: SHA256_HEX.source,
  })
  @ValidateIf((payload: AnalyzeVideoContentPayload) => payload.videoId === undefined || payload.checksum !== undefined)
  @IsString()
  @Matches(SHA256_HEX, { message: 'checksum must be 64 lower-case hex characters (a stored video’s SHA-256)' })
  checksum?: string;

  @ApiPropertyOptional({
    example: 'reel-1',
    description:
      'The caller’s name for the video, echoed in the result. Without `checksum`, the video this caller stored under that name ' +
      '(download-video’s `reelId`, a scraped reel’s id)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\w.:-]{1,200}$/, { message: 'videoId must be 1-200 characters of A-Z a-z 0-9 _ . : -' })
  videoId?: string;

  @ApiPropertyOptional({ enum: ANALYSIS_TYPES, default: 'comprehensive', description: 'Seed 004’s field: the one analysis Conveyor runs' })
  @IsOptional()
  @IsIn(ANALYSIS_TYPES)
  analysisType?: (typeof ANALYSIS_TYPES)[number];

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  maxHighlights?: number;
}

export class GenerateInsightsPayload {
  @ApiProperty({ format: 'uuid', description: 'The discovery (discover-with-instagram’s job id) whose businesses get insights' })
  @IsUUID()
  discoveryId!: string;
}

export const READING_VIDEO = 'Reading video';

export enum InsightsStep {
  ReadAnalyses = 'Reading analyses',
  BuildInsights = 'Building insights',
  StartReport = 'Starting report',
}

export const ANALYZE_VIDEO_CONTENT = 'analyze-video-content';
export const EXTRACT_METADATA = 'extract-metadata';
export const GENERATE_INSIGHTS = 'generate-insights';

export const analyzeVideoContentJob = defineJobType({
  type: ANALYZE_VIDEO_CONTENT,
  queue: VIDEO_ANALYSIS_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004: the video-analysis pipeline (seed 002’s, shared) on a stored video: media facts, transcript (TRANSCRIPT_SERVICE_URL, ' +
    'when configured), loudness, signals per window, highlights.',
  payload: AnalyzeVideoContentPayload,
  result: AnalyzeVideoContentResult,
  steps: [
    { name: READING_VIDEO, weight: 10 },
    { name: VideoStage.Transcribing, weight: 25 },
    { name: VideoStage.Analyzing, weight: 50 },
    { name: VideoStage.FindingHighlights, weight: 15 },
  ],
});

export const extractMetadataJob = defineJobType({
  type: EXTRACT_METADATA,
  queue: VIDEO_ANALYSIS_QUEUE,
  resultEnvelope: true,
  description: 'Seed 004: a stored video’s technical facts (ffprobe): duration, size, container, video and audio streams.',
  payload: StoredVideoPayload,
  result: ExtractMetadataResult,
  steps: [{ name: READING_VIDEO, weight: 1 }],
});

export const generateInsightsJob = defineJobType({
  type: GENERATE_INSIGHTS,
  queue: VIDEO_ANALYSIS_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004: insights per business of a discovery: best hooks, posting cadence, where each analysed video peaks; then the ' +
    'trend analysis and, after it, the competitor report.',
  payload: GenerateInsightsPayload,
  result: GenerateInsightsResult,
  steps: [
    { name: InsightsStep.ReadAnalyses, weight: 20 },
    { name: InsightsStep.BuildInsights, weight: 60 },
    { name: InsightsStep.StartReport, weight: 20 },
  ],
});
