import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JobStatus } from '@conveyor/contracts';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsInt, IsOptional, Max, Min } from 'class-validator';
import { JobPageQuery } from './job-page.query';
import { JOB_RESULT_SCHEMA, JobResponse } from './job.response';

/** Numbered pages go this far; further, follow `nextCursor` (a skip costs what it skips). */
export const MAX_PAGE_NUMBER = 1_000;

/** Query of `GET /api/v1/jobs` and `GET /api/v1/jobs/user/:userId`: a job page, plus status and creation time. */
export class ListJobsQuery extends JobPageQuery {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_NUMBER,
    description: 'A numbered page (seed 004), instead of `cursor`: the answer adds `page`, `total` and `pages`',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_NUMBER)
  page?: number;

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
}

export class JobListResponse {
  @ApiProperty({ type: [JobResponse], description: 'Newest first' })
  items!: JobResponse[];

  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor!: string | null;

  @ApiPropertyOptional({ description: 'With `?page=`: this page’s number' })
  page?: number;

  @ApiPropertyOptional({ description: 'With `?page=`: the page size' })
  limit?: number;

  @ApiPropertyOptional({ description: 'With `?page=`: jobs matching the filters, in all' })
  total?: number;

  @ApiPropertyOptional({ description: 'With `?page=`: pages in all' })
  pages?: number;
}

/** The compact status model of `GET /api/v1/jobs/:jobId/status`. */
export class JobStatusResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({
    example: JobStatus.Active,
    description:
      "In the job type's own words: Conveyor's unless the type has a status vocabulary (seed 003's types: `queued`, `running`, `succeeded`, `failed`)",
  })
  status!: string;

  @ApiProperty({ enum: JobStatus, description: 'The status in Conveyor’s words, whatever the job type' })
  conveyorStatus!: JobStatus;

  @ApiProperty({ minimum: 0, maximum: 100 })
  progress!: number;

  @ApiProperty({ type: 'string', nullable: true })
  currentStep!: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: '`currentStep`, spelled as seed 003 reads it' })
  current_step!: string | null;

  @ApiPropertyOptional({ ...JOB_RESULT_SCHEMA, description: 'Only when completed (succeeded); shape depends on the job type' })
  result?: unknown;

  @ApiPropertyOptional({
    description:
      'Only when failed: `{ message, code }`; for a type with a status vocabulary, the message alone (`Cancelled` for a cancelled job) with `error_code` beside it',
    oneOf: [{ type: 'object', properties: { message: { type: 'string' }, code: { type: 'string' } } }, { type: 'string' }],
  })
  error?: { message: string; code: string } | string;

  @ApiPropertyOptional({ description: 'With a string `error`: its code' })
  error_code?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Types with a status vocabulary: when the job ended',
  })
  finished_at?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Types with a status vocabulary: when the job was cancelled',
  })
  cancelled_at?: string | null;
}
