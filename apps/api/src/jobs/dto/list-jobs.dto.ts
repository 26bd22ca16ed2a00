import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JobStatus } from '@conveyor/contracts';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsOptional } from 'class-validator';
import { JobPageQuery } from './job-page.query';
import { JobResponse } from './job.response';

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
