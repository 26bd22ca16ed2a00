import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_DELAY_MS, SCHEDULE_NAME } from '@conveyor/contracts';
import { IsDefined, IsISO8601, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { jobCatalog } from '@conveyor/products';

export class DelayedJobRequest {
  @ApiProperty({ enum: jobCatalog.types(), example: 'http.request' })
  @IsString()
  @MaxLength(100)
  type!: string;

  @ApiProperty({ description: "The job type's payload, validated as on POST /api/v1/jobs", type: 'object', additionalProperties: true })
  @IsDefined()
  @IsObject()
  data!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Run after this many ms (send this or runAt)', minimum: 1, maximum: MAX_DELAY_MS, example: 60000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DELAY_MS)
  delayMs?: number;

  @ApiPropertyOptional({
    description: 'Run at this time: ISO-8601, in the future, at most 30 days ahead (send this or delayMs)',
    format: 'date-time',
    example: '2030-01-01T09:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  runAt?: string;
}

export class RepeatingScheduleRequest {
  @ApiProperty({ description: 'Unique; a slug of 1-64 characters: a-z 0-9 and inner hyphens', example: 'nightly-ping' })
  @IsString()
  @Matches(SCHEDULE_NAME, { message: 'name must be 1-64 characters of a-z 0-9 and inner hyphens' })
  name!: string;

  @ApiProperty({ enum: jobCatalog.types(), example: 'http.request' })
  @IsString()
  @MaxLength(100)
  type!: string;

  @ApiProperty({
    description: 'The payload of every run, validated now as a submission would be',
    type: 'object',
    additionalProperties: true,
  })
  @IsDefined()
  @IsObject()
  data!: Record<string, unknown>;

  @ApiProperty({
    description: 'Five fields, or six with seconds first; runs must be at least SCHEDULE_MIN_INTERVAL_MS apart',
    example: '0 */15 * * * *',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  cron!: string;

  @ApiPropertyOptional({ description: 'IANA time zone the cron is read in (default UTC)', example: 'Europe/Paris' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}
