import { ApiPropertyOptional } from '@nestjs/swagger';
import { QueueName } from '@conveyor/contracts';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { jobCatalog } from '@conveyor/products';

export const MAX_PAGE_LIMIT = 100;
const DEFAULT_PAGE_LIMIT = 20;

/**
 * The query every keyset-paginated job list shares (jobs, dead letters): filter by queue and
 * type, page size, and the previous page's cursor. Unknown keys (`status[$ne]`) are 400.
 */
export class JobPageQuery {
  // Only queues clients submit to; Conveyor's own queues (webhooks) hold no client jobs.
  @ApiPropertyOptional({ enum: jobCatalog.queues() })
  @IsOptional()
  @IsIn(jobCatalog.queues(), { message: `queue must be one of: ${jobCatalog.queues().join(', ')}` })
  queue?: QueueName;

  @ApiPropertyOptional({ example: 'http.request' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  type?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit: number = DEFAULT_PAGE_LIMIT;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor value from a previous page' })
  cursor?: string;
}
