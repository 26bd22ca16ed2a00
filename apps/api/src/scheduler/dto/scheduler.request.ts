import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_DELAY_MS, SCHEDULE_NAME } from '@conveyor/contracts';
import { IsDefined, IsISO8601, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { jobCatalog } from '@conveyor/products';

export class DelayedJobRequest {
  @ApiProperty({ enum: jobCatalog.types(), example: 'http.request' })
  @IsString()
  @MaxLength(100)
  type!: string;

  @ApiPropertyOptional({
    description: "The type's queue, as seed 004 sends it: optional, and if sent it must be the type's own",
    example: 'http',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  queue?: string;

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
  @ApiPropertyOptional({
    description:
      'Unique; a slug of 1-64 characters: a-z 0-9 and inner hyphens. Left out (seed 004 sends none): made from the type and a ' +
      'hash of type, cron and data, so the same request twice is the same schedule (409 the second time)',
    example: 'nightly-ping',
  })
  @IsOptional()
  @IsString()
  @Matches(SCHEDULE_NAME, { message: 'name must be 1-64 characters of a-z 0-9 and inner hyphens' })
  name?: string;

  @ApiProperty({
    description:
      'A job type, or a system task (cleanup-expired-jobs, …: each run is that task on the maintenance queue, with `data` as its ' +
      'options; cleanup-expired-jobs takes `olderThanDays`)',
    example: 'http.request',
  })
  @IsString()
  @MaxLength(100)
  type!: string;

  @ApiPropertyOptional({
    description:
      "The type's queue (seed 004): optional, and if sent it must be the type's own; a system task's is `maintenance` " +
      '(seed 004 calls it `cleanup`, also accepted)',
    example: 'http',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  queue?: string;

  @ApiProperty({
    description: 'The payload of every run, validated now as a submission would be',
    type: 'object',
    additionalProperties: true,
  })
  @IsDefined()
  @IsObject()
  data!: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Five fields, or six with seconds first; runs must be at least SCHEDULE_MIN_INTERVAL_MS apart. This or `cronExpression`',
    example: '0 */15 * * * *',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  cron?: string;

  @ApiPropertyOptional({ description: '`cron`, as seed 004 names it (send one of the two, or both the same)', example: '0 2 * * *' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  cronExpression?: string;

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
