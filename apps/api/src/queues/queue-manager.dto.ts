import { ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_QUEUE_CONCURRENCY } from '@conveyor/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `?queue=` of the /api/v1/queue/* routes: which queue they act on (default: the catalog's queue-routes default). */
export class QueueRouteQuery {
  @ApiPropertyOptional({
    description: 'A queue this service runs; without it, the default queue of these routes',
    example: 'video-analysis',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  queue?: string;
}

export class QueueRouteMetricsQuery extends QueueRouteQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 168, default: 24, description: 'The window of `performance`, hours' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(168)
  hours: number = 24;
}

/**
 * PUT /api/v1/queue/config: the queue manager's settings, in its field names. Unlike PUT
 * /api/v1/queues/:name/config, what is left out keeps its saved value.
 */
export class QueueManagerConfigRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_QUEUE_CONCURRENCY, description: 'Jobs each worker runs at once on the queue' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_QUEUE_CONCURRENCY)
  max_concurrent_jobs?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000_000, description: 'Queued (waiting + delayed) jobs above which submissions get 429' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  max_queue_size?: number;

  @ApiPropertyOptional({ minimum: 1, description: "Each attempt's time limit for new jobs, seconds (at most the queue's cap)" })
  @IsOptional()
  @IsInt()
  @Min(1)
  job_timeout?: number;

  @ApiPropertyOptional({ minimum: 0, description: "Retries after a failed attempt for new jobs (at most the queue's cap − 1)" })
  @IsOptional()
  @IsInt()
  @Min(0)
  max_retries?: number;
}
