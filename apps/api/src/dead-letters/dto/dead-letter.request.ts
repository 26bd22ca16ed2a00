import { ApiPropertyOptional } from '@nestjs/swagger';
import { QueueName, defaultJobTypeRegistry } from '@conveyor/contracts';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const MAX_DEAD_LETTER_LIMIT = 100;
const DEFAULT_DEAD_LETTER_LIMIT = 20;

/** Query of `GET /api/v1/dead-letters`. Unknown keys are 400, like every list. */
export class ListDeadLettersQuery {
  @ApiPropertyOptional({ enum: defaultJobTypeRegistry.queues() })
  @IsOptional()
  @IsIn(defaultJobTypeRegistry.queues(), { message: `queue must be one of: ${defaultJobTypeRegistry.queues().join(', ')}` })
  queue?: QueueName;

  @ApiPropertyOptional({ example: 'http.request' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  type?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DEAD_LETTER_LIMIT, default: DEFAULT_DEAD_LETTER_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DEAD_LETTER_LIMIT)
  limit: number = DEFAULT_DEAD_LETTER_LIMIT;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor value from a previous page' })
  cursor?: string;
}

/** Body of `POST /api/v1/dead-letters/:jobId/requeue`; empty to run the same payload again. */
export class RequeueDeadLetterRequest {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "A corrected payload, validated exactly like a submission's `data` for the job's type; the record keeps it",
    example: { url: 'https://example.com/hooks/rebuild', method: 'POST' },
  })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}
