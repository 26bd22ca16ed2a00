import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy } from 'class-validator';
import { GUIDE_PRIORITIES, GUIDE_PRIORITY_RULE, VideoAnalysisPayload, guidePriority } from '../../contracts';

const IsGuidePriority = () =>
  ValidateBy({
    name: 'isGuidePriority',
    validator: {
      validate: (value: unknown) => guidePriority(value) !== undefined,
      defaultMessage: () => `priority ${GUIDE_PRIORITY_RULE}`,
    },
  });

/** Seed 002's `POST /api/v1/analysis` body. */
export class CreateAnalysisRequest extends VideoAnalysisPayload {
  @ApiPropertyOptional({
    oneOf: [
      { type: 'string', enum: Object.keys(GUIDE_PRIORITIES), description: 'any letter case' },
      { type: 'integer', enum: Object.values(GUIDE_PRIORITIES) },
    ],
    default: 'NORMAL',
    description: 'Higher first (URGENT 4 … LOW 1), first in first out within a level',
  })
  @IsOptional()
  @IsGuidePriority()
  priority?: string | number;
}

export class CreatedAnalysisResponse {
  @ApiProperty({ format: 'uuid' })
  job_id!: string;

  @ApiProperty()
  video_id!: string;

  @ApiProperty({ enum: ['queued'] })
  status!: 'queued';

  @ApiProperty({ type: 'integer', nullable: true, description: 'Place among waiting jobs (1 = next)' })
  queue_position!: number | null;

  @ApiProperty({ type: 'integer' })
  estimated_wait_seconds!: number;
}

export class AnalysisProgressResponse {
  @ApiProperty({ minimum: 0, maximum: 100 })
  percentage!: number;

  @ApiProperty({ example: 'Analyzing', description: 'Queued, Downloading, Transcribing, Analyzing, Finding Highlights, Completed' })
  current_stage!: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'From the run’s own progress rate, else the queue’s expected duration (30 min)',
  })
  estimated_completion_seconds!: number | null;
}

export class AnalysisTimestampsResponse {
  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  started_at!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  completed_at!: string | null;
}

export class AnalysisResponse {
  @ApiProperty({ format: 'uuid' })
  job_id!: string;

  @ApiProperty()
  video_id!: string;

  @ApiProperty({ enum: ['queued', 'processing', 'completed', 'failed', 'cancelled'] })
  status!: string;

  @ApiProperty({ enum: ['URGENT', 'HIGH', 'NORMAL', 'LOW'] })
  priority!: string;

  @ApiProperty({ type: AnalysisProgressResponse })
  progress!: AnalysisProgressResponse;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Once completed: media, transcript, chat, loudness_timeline, windows, highlights, notes',
  })
  result?: object;

  @ApiPropertyOptional({ description: 'Once failed' })
  error?: string;

  @ApiProperty({ type: AnalysisTimestampsResponse })
  timestamps!: AnalysisTimestampsResponse;
}
