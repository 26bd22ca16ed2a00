import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, IsUrl, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { defineJobType } from '@conveyor/contracts';
import { INSTAGRAM_DETECTION_QUEUE } from './business-discovery.queues';
import { HTTP_URL, INSTAGRAM_USERNAME } from './payload-rules';
import { AnalyzeReelsResult, DetectInstagramProfilesResult, ValidateInstagramProfileResult } from './business-discovery.results';

const USERNAME_MESSAGE = 'username must be an Instagram username: 1-30 letters, digits, dots or underscores';

export class DetectInstagramPayload {
  @ApiProperty({ example: 'Luigi’s Trattoria', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  businessName!: string;

  @ApiPropertyOptional({ example: 'https://luigis.example.com', maxLength: 2048, description: 'Where the handle is looked for' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(HTTP_URL, { message: 'website must be an http(s) URL' })
  website?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Set by discover-with-instagram: the discovery the finding is kept under' })
  @IsOptional()
  @IsUUID()
  discoveryId?: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'Set by discover-with-instagram: the business within the discovery' })
  @IsOptional()
  @IsString()
  @Matches(/^[\w.-]{1,100}$/, { message: 'businessKey must be 1-100 characters of A-Z a-z 0-9 _ . -' })
  businessKey?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 3, description: 'Top reels kept (by outlier score)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  topReels?: number;
}

export class InstagramProfilePayload {
  @ApiProperty({ example: 'restaurant_nyc', maxLength: 30 })
  @IsString()
  @Matches(INSTAGRAM_USERNAME, { message: USERNAME_MESSAGE })
  username!: string;
}

export class AnalyzeReelsPayload extends InstagramProfilePayload {
  @ApiPropertyOptional({ example: 'profile123', maxLength: 200, description: 'The caller’s own id for the profile, echoed in the result' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  profileId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 3, description: 'Top reels returned (by outlier score)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  top?: number;
}

export enum DetectionStep {
  ValidateBusiness = 'Validating business',
  FindHandle = 'Finding Instagram handle',
  ConfirmProfile = 'Confirming profile',
  RankReels = 'Ranking reels',
}

export const DETECT_INSTAGRAM_PROFILES = 'detect-instagram-profiles';
export const VALIDATE_INSTAGRAM_PROFILE = 'validate-instagram-profile';
export const ANALYZE_REELS = 'analyze-reels';

export const detectInstagramProfilesJob = defineJobType({
  type: DETECT_INSTAGRAM_PROFILES,
  queue: INSTAGRAM_DETECTION_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004: finds a business’s Instagram handle on its own website (fetched and parsed here), confirms it with the profile ' +
    'service (PROFILE_SERVICE_URL) and ranks its reels by outlier score (views ÷ the profile’s median). A business without a ' +
    'website or without Instagram completes with `instagram: null` and the reason.',
  payload: DetectInstagramPayload,
  result: DetectInstagramProfilesResult,
  outboundUrls: (payload) => (payload.website ? [{ field: 'website', url: payload.website }] : []),
  steps: [
    { name: DetectionStep.ValidateBusiness, weight: 30 },
    { name: DetectionStep.FindHandle, weight: 20 },
    { name: DetectionStep.ConfirmProfile, weight: 30 },
    { name: DetectionStep.RankReels, weight: 20 },
  ],
});

export const validateInstagramProfileJob = defineJobType({
  type: VALIDATE_INSTAGRAM_PROFILE,
  queue: INSTAGRAM_DETECTION_QUEUE,
  resultEnvelope: true,
  description: 'Seed 004: asks the profile service whether an Instagram account exists; its followers and reel count when it does.',
  payload: InstagramProfilePayload,
  result: ValidateInstagramProfileResult,
  steps: [{ name: DetectionStep.ConfirmProfile, weight: 1 }],
});

export const analyzeReelsJob = defineJobType({
  type: ANALYZE_REELS,
  queue: INSTAGRAM_DETECTION_QUEUE,
  resultEnvelope: true,
  description: 'Seed 004: a profile’s reels from the profile service, ranked by outlier score (views ÷ the profile’s median views).',
  payload: AnalyzeReelsPayload,
  result: AnalyzeReelsResult,
  steps: [
    { name: DetectionStep.ConfirmProfile, weight: 60 },
    { name: DetectionStep.RankReels, weight: 40 },
  ],
});
