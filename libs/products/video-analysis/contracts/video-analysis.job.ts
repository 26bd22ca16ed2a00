import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';
import { JobStatus, StatusVocabulary, defineJobType } from '@conveyor/contracts';
import { GUIDE_PRIORITY_RULE, conveyorPriority, guidePriority } from './guide-priority';
import { VIDEO_ANALYSIS_QUEUE } from './video-analysis.queue';
import { VideoAnalysisJobResult } from './video-analysis.results';

export const VIDEO_ANALYSIS = 'video.analysis';

const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** What a worker needs to analyse one video (the route maps seed 002's request onto it). */
export class VideoAnalysisPayload {
  @ApiProperty({ example: 'vod-2931', maxLength: 200 })
  @IsString()
  @Matches(/^[\w.:-]{1,200}$/, { message: 'video_id must be 1-200 characters of A-Z a-z 0-9 _ . : -' })
  video_id!: string;

  @ApiProperty({ example: 'https://cdn.example.com/vod-2931.mp4', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  @IsUrl(HTTP_URL, { message: 'video_url must be an http(s) URL' })
  video_url!: string;

  @ApiPropertyOptional({ description: 'A JSON array of { t: seconds, user, text }', maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(HTTP_URL, { message: 'chat_url must be an http(s) URL' })
  chat_url?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  max_highlights?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Progress webhooks in the guide’s shape: at each stage, every VIDEO_PROGRESS_WEBHOOK_MS while processing, and at the end',
    maxLength: 2048,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(HTTP_URL, { message: 'callback_url must be an http(s) URL' })
  callback_url?: string;

  @ApiPropertyOptional({ description: 'Sent as `Authorization: Bearer <callback_token>` with every webhook', maxLength: 4096 })
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,4096}$/, { message: 'callback_token must be 1-4096 visible ASCII characters (it is sent in a header)' })
  callback_token?: string;
}

/** Seed 002's stages, with their progress bands (20 + 20 + 40 + 15, then saving to 100). */
export enum VideoStage {
  Downloading = 'Downloading',
  Transcribing = 'Transcribing',
  Analyzing = 'Analyzing',
  FindingHighlights = 'Finding Highlights',
  Saving = 'Saving results',
}

/**
 * A step as seed 002's clients read it: its stages, where saving the results (95–100 %) is the
 * end of Finding Highlights; before any step, `Queued`.
 */
export function guideStage(step: string | null | undefined): string {
  if (!step) return 'Queued';
  return step === VideoStage.Saving ? VideoStage.FindingHighlights : step;
}

/** Seed 002's status words: `queued`, `processing`, `completed`, `failed`, `cancelled`. */
export const SEED_002_STATUS_WORDS: StatusVocabulary = {
  words: {
    [JobStatus.Waiting]: 'queued',
    [JobStatus.Delayed]: 'queued',
    [JobStatus.Active]: 'processing',
    [JobStatus.Completed]: 'completed',
    [JobStatus.Failed]: 'failed',
    [JobStatus.Cancelled]: 'cancelled',
  },
};

export const videoAnalysisJob = defineJobType({
  type: VIDEO_ANALYSIS,
  queue: VIDEO_ANALYSIS_QUEUE,
  description: 'Seed 002: download a video (and its chat), transcribe, analyse loudness, chat and sentiment, find highlights.',
  payload: VideoAnalysisPayload,
  result: VideoAnalysisJobResult,
  statusVocabulary: SEED_002_STATUS_WORDS,
  priorityVocabulary: {
    read: (input) => {
      const level = guidePriority(input);
      return level && conveyorPriority(level);
    },
    rule: GUIDE_PRIORITY_RULE,
  },
  outboundUrls: (payload) => [
    { field: 'video_url', url: payload.video_url },
    ...(payload.chat_url ? [{ field: 'chat_url', url: payload.chat_url }] : []),
    ...(payload.callback_url ? [{ field: 'callback_url', url: payload.callback_url }] : []),
  ],
  steps: [
    { name: VideoStage.Downloading, weight: 20 },
    { name: VideoStage.Transcribing, weight: 20 },
    { name: VideoStage.Analyzing, weight: 40 },
    { name: VideoStage.FindingHighlights, weight: 15 },
    { name: VideoStage.Saving, weight: 5 },
  ],
});
