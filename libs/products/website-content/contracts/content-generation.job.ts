import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { defineJobType } from '@conveyor/contracts';
import { SEED_003_STATUS_WORDS } from './seed-status-words';
import { WEBSITE_CONTENT_QUEUE } from './website-content.queue';
import { ContentGenerationResult } from './website-content.results';

/** Seed 003's job type name. */
export const CONTENT_GENERATION = 'content_generation';

/** The body of seed 003's `POST /api/v1/enhanced-blog-generation/generate`, which this job takes. */
export class ContentGenerationPayload {
  @ApiProperty({ example: 'How to choose a running shoe', minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  topic!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { name: 'Stride Shop', industry: 'retail' } })
  @IsOptional()
  @IsObject()
  businessInfo?: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid', description: "The caller's organization (the one website analysis created); default: theirs" })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  additionalInstructions?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { tone: 'friendly', length: 'medium' } })
  @IsOptional()
  @IsObject()
  options?: Record<string, unknown>;
}

export enum ContentGenerationStep {
  Generate = 'Generating content…',
  Image = 'Generating header image…',
  Save = 'Saving post…',
}

/** Where the job type is started: the route that reserves its credits. */
export const CONTENT_GENERATION_ROUTE = 'POST /api/v1/jobs/content-generation';

export const contentGenerationJob = defineJobType({
  type: CONTENT_GENERATION,
  queue: WEBSITE_CONTENT_QUEUE,
  description: "Seed 003: a blog post from the generation service, saved to the caller's organization; costs credits once saved.",
  payload: ContentGenerationPayload,
  result: ContentGenerationResult,
  // Submitted only where its credits are reserved; retried through the generic route, which asks
  // the product's RunAdmission to reserve again.
  startedBy: CONTENT_GENERATION_ROUTE,
  retriedThroughJobsApi: true,
  statusVocabulary: SEED_003_STATUS_WORDS,
  steps: [
    { name: ContentGenerationStep.Generate, weight: 70 },
    { name: ContentGenerationStep.Image, weight: 20 },
    { name: ContentGenerationStep.Save, weight: 10 },
  ],
});
