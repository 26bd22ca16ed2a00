import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { defineJobType } from '@conveyor/contracts';
import { VIDEO_SCRAPING_QUEUE } from './business-discovery.queues';
import { HTTP_URL, INSTAGRAM_USERNAME, SHA256_HEX } from './payload-rules';
import { DownloadVideoResult, ScrapeInstagramVideosResult, UploadToStorageResult } from './business-discovery.results';

/** Most reels one scrape downloads. */
export const MAX_REELS_PER_SCRAPE = 20;

export class ReelToScrape {
  @ApiProperty({ example: 'reel-1', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  id!: string;

  @ApiProperty({ example: 'https://cdn.example.com/reel-1.mp4', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  @IsUrl(HTTP_URL, { message: 'video_url must be an http(s) URL' })
  video_url!: string;
}

export class ScrapeVideosPayload {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Set in discover-with-instagram’s flow: the reels come from the detections before it',
  })
  @IsOptional()
  @IsUUID()
  discoveryId?: string;

  @ApiPropertyOptional({ example: 'restaurant_nyc' })
  @IsOptional()
  @IsString()
  @Matches(INSTAGRAM_USERNAME, { message: 'username must be an Instagram username' })
  username?: string;

  @ApiPropertyOptional({ type: [ReelToScrape], maxItems: MAX_REELS_PER_SCRAPE, description: 'Required unless discoveryId is set' })
  @ValidateIf((payload: ScrapeVideosPayload) => payload.discoveryId === undefined || payload.topReels !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REELS_PER_SCRAPE)
  @ValidateNested({ each: true })
  @Type(() => ReelToScrape)
  topReels?: ReelToScrape[];

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 2, description: 'In a flow: videos downloaded per business (its top reels)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  videosPerBusiness?: number;
}

export class DownloadVideoPayload {
  @ApiProperty({ example: 'https://cdn.example.com/reel-1.mp4', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  @IsUrl(HTTP_URL, { message: 'url must be an http(s) URL' })
  url!: string;

  @ApiPropertyOptional({ example: 'reel-1', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reelId?: string;
}

export class StoredVideoPayload {
  @ApiProperty({ description: 'SHA-256 of a video this caller stored (download-video’s `checksum`)', pattern: SHA256_HEX.source })
  @IsString()
  @Matches(SHA256_HEX, { message: 'checksum must be 64 lower-case hex characters (a stored video’s SHA-256)' })
  checksum!: string;
}

export enum ScrapingStep {
  SelectReels = 'Selecting reels',
  Download = 'Downloading videos',
  StartAnalyses = 'Starting analyses',
}

export const SCRAPE_INSTAGRAM_VIDEOS = 'scrape-instagram-videos';
export const DOWNLOAD_VIDEO = 'download-video';
export const UPLOAD_TO_STORAGE = 'upload-to-storage';

export const scrapeInstagramVideosJob = defineJobType({
  type: SCRAPE_INSTAGRAM_VIDEOS,
  queue: VIDEO_SCRAPING_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004: downloads top reels’ videos into STORAGE_DIR (size cap, outbound policy, SHA-256, one copy per checksum), then ' +
    'starts an `analyze-video-content` job per distinct video. In discover-with-instagram’s flow the reels are the detections’ ' +
    'top reels and `generate-insights` follows the analyses.',
  payload: ScrapeVideosPayload,
  result: ScrapeInstagramVideosResult,
  outboundUrls: (payload) => (payload.topReels ?? []).map((reel, i) => ({ field: `topReels[${i}].video_url`, url: reel.video_url })),
  steps: [
    { name: ScrapingStep.SelectReels, weight: 5 },
    { name: ScrapingStep.Download, weight: 85 },
    { name: ScrapingStep.StartAnalyses, weight: 10 },
  ],
});

export const downloadVideoJob = defineJobType({
  type: DOWNLOAD_VIDEO,
  queue: VIDEO_SCRAPING_QUEUE,
  resultEnvelope: true,
  description: 'Seed 004: downloads one video into STORAGE_DIR (size cap, outbound policy); its SHA-256 names it, so a copy is kept once.',
  payload: DownloadVideoPayload,
  result: DownloadVideoResult,
  outboundUrls: (payload) => [{ field: 'url', url: payload.url }],
  steps: [{ name: 'Downloading', weight: 1 }],
});

export const uploadToStorageJob = defineJobType({
  type: UPLOAD_TO_STORAGE,
  queue: VIDEO_SCRAPING_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004: copies a stored video to the object storage service (OBJECT_STORAGE_URL, `PUT {url}/objects/{checksum}`); ' +
    'when none is configured the result says so and nothing is sent.',
  payload: StoredVideoPayload,
  result: UploadToStorageResult,
  steps: [{ name: 'Uploading', weight: 1 }],
});
