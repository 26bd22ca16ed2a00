import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUrl, MaxLength } from 'class-validator';
import { defineJobType } from '@conveyor/contracts';
import { SEED_003_STATUS_WORDS } from './seed-status-words';
import { WEBSITE_CONTENT_QUEUE } from './website-content.queue';
import { WebsiteAnalysisResult } from './website-content.results';

/** Seed 003's job type name. */
export const WEBSITE_ANALYSIS = 'website_analysis';

export class WebsiteAnalysisPayload {
  @ApiProperty({ example: 'https://example.com', maxLength: 2048, description: 'The website to analyse (http or https)' })
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  url!: string;
}

/** The steps, named exactly as seed 003's frontend shows them. */
export enum WebsiteAnalysisStep {
  Analyze = 'Analyzing website…',
  Audiences = 'Generating audiences…',
  Pitches = 'Generating pitches…',
  Images = 'Generating images…',
}

export const websiteAnalysisJob = defineJobType({
  type: WEBSITE_ANALYSIS,
  queue: WEBSITE_CONTENT_QUEUE,
  description: 'Seed 003: analyse a website (fetched and parsed here), then audiences, pitches and images from the generation service.',
  payload: WebsiteAnalysisPayload,
  result: WebsiteAnalysisResult,
  // The seed's anonymous visitors analyse their site before signing up.
  anonymousSessions: true,
  statusVocabulary: SEED_003_STATUS_WORDS,
  outboundUrls: (payload) => [{ field: 'url', url: payload.url }],
  steps: [
    { name: WebsiteAnalysisStep.Analyze, weight: 40 },
    { name: WebsiteAnalysisStep.Audiences, weight: 20 },
    { name: WebsiteAnalysisStep.Pitches, weight: 20 },
    { name: WebsiteAnalysisStep.Images, weight: 20 },
  ],
});
