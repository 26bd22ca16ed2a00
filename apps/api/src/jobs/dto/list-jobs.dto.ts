import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JobStatus, QueueName, defaultJobTypeRegistry } from '@conveyor/contracts';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { JobResponse } from './job.response';

export const MAX_LIST_LIMIT = 100;
const DEFAULT_LIST_LIMIT = 20;

/** Query of `GET /api/v1/jobs` and `GET /api/v1/jobs/user/:userId`. Unknown keys (`status[$ne]`) are 400. */
export class ListJobsQuery {
  // Only queues clients submit to; Conveyor's own queues (webhooks) hold no client jobs.
  @ApiPropertyOptional({ enum: defaultJobTypeRegistry.queues() })
  @IsOptional()
  @IsIn(defaultJobTypeRegistry.queues(), { message: `queue must be one of: ${defaultJobTypeRegistry.queues().join(', ')}` })
  queue?: QueueName;

  @ApiPropertyOptional({ example: 'http.request' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  type?: string;

  @ApiPropertyOptional({ enum: JobStatus })
  @IsOptional()
  @IsEnum(JobStatus)
  status?: JobStatus;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created at or after' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  createdFrom?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created at or before' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  createdTo?: Date;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIST_LIMIT)
  limit: number = DEFAULT_LIST_LIMIT;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor value from a previous page' })
  cursor?: string;
}

export class JobListResponse {
  @ApiProperty({ type: [JobResponse], description: 'Newest first' })
  items!: JobResponse[];

  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor!: string | null;
}

/** The compact status model of `GET /api/v1/jobs/:jobId/status`. */
export class JobStatusResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ enum: JobStatus })
  status!: JobStatus;

  @ApiProperty({ minimum: 0, maximum: 100 })
  progress!: number;

  @ApiProperty({ type: 'string', nullable: true })
  currentStep!: string | null;

  @ApiPropertyOptional({ description: 'Only when completed' })
  result?: unknown;

  @ApiPropertyOptional({ description: 'Only when failed', type: Object })
  error?: { message: string; code: string };
}
