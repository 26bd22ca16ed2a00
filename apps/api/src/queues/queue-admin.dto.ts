import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_QUEUE_CONCURRENCY } from '@conveyor/contracts';
import { CleanableState, QueueJobState } from '@conveyor/queueing';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { BACKOFF_INPUT_SCHEMA, IsBackoff } from '../jobs/dto/submit-job.request';
import type { BackoffInput } from '@conveyor/contracts';

const JOB_STATES: QueueJobState[] = ['waiting', 'active', 'delayed', 'completed', 'failed', 'paused'];
const CLEANABLE: CleanableState[] = ['completed', 'failed', 'waiting', 'delayed'];
const DAY_MS = 24 * 60 * 60 * 1000;

export class QueueJobsQuery {
  @ApiPropertyOptional({ enum: JOB_STATES, default: 'waiting' })
  @IsOptional()
  @IsIn(JOB_STATES)
  status: QueueJobState = 'waiting';

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;
}

export class CleanQueueRequest {
  @ApiProperty({ enum: CLEANABLE, description: 'Waiting and delayed jobs removed here are recorded as cancelled' })
  @IsIn(CLEANABLE)
  status!: CleanableState;

  @ApiPropertyOptional({ description: 'Only jobs older than this many ms', minimum: 0, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  olderThan: number = 0;

  @ApiPropertyOptional({ description: 'At most this many jobs (removed in batches of 500)', minimum: 1, maximum: 100_000, default: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  limit: number = 1000;
}

export class ClearStuckRequest {
  @ApiPropertyOptional({ description: 'Active for longer than this many ms with no live lock', minimum: 0, default: 300_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  olderThan: number = 300_000;

  @ApiPropertyOptional({
    enum: ['retry', 'fail'],
    default: 'retry',
    description: 'retry: per the job’s attempts and backoff; fail: for good',
  })
  @IsOptional()
  @IsIn(['retry', 'fail'])
  action: 'retry' | 'fail' = 'retry';
}

export class RateLimitRequest {
  @ApiProperty({ minimum: 1, maximum: 100_000, description: 'Jobs started per window, across all workers' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  max!: number;

  @ApiProperty({ minimum: 100, maximum: DAY_MS, description: 'Window in ms' })
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  duration!: number;
}

export class RetentionRequest {
  @ApiPropertyOptional({ minimum: 0, maximum: 100_000, description: 'Completed jobs Bull keeps in Redis' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  completed?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100_000, description: 'Failed jobs Bull keeps in Redis' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  failed?: number;
}

/** PUT /:name/config replaces the queue's settings: what is left out falls back to the policy default. */
export class QueueConfigRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_QUEUE_CONCURRENCY, description: 'Jobs each worker runs at once on this queue' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_QUEUE_CONCURRENCY)
  concurrency?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Default attempts for new jobs (at most the queue’s cap)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  attempts?: number;

  @ApiPropertyOptional({ description: 'Default backoff for new jobs, as in a submission', ...BACKOFF_INPUT_SCHEMA })
  @IsOptional()
  @IsBackoff()
  backoff?: BackoffInput;

  @ApiPropertyOptional({ minimum: 100, description: 'Default per-attempt time limit for new jobs, ms (at most the queue’s cap)' })
  @IsOptional()
  @IsInt()
  @Min(100)
  timeout?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000_000, description: 'Waiting + delayed jobs above which submissions get 429' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  backlogLimit?: number;

  @ApiPropertyOptional({ type: RateLimitRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitRequest)
  rateLimit?: RateLimitRequest;

  @ApiPropertyOptional({ type: RetentionRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => RetentionRequest)
  retention?: RetentionRequest;
}

export class HoursQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 168, default: 24 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(168)
  hours: number = 24;
}

/** Snapshots are taken every 5 minutes and kept JOB_RECORD_RETENTION_DAYS; a window reaches back 90 days at most. */
export class HistoryQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 2160, default: 24 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2160)
  hours: number = 24;
}
