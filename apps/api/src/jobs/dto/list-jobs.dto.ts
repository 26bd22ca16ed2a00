import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JobStatus } from '@conveyor/contracts';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsOptional } from 'class-validator';
import { JobPageQuery } from './job-page.query';
import { JOB_RESULT_SCHEMA, JobResponse } from './job.response';

/** Query of `GET /api/v1/jobs` and `GET /api/v1/jobs/user/:userId`: a job page, plus status and creation time. */
export class ListJobsQuery extends JobPageQuery {
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
