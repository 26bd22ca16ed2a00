import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';
import { JobPageQuery } from '../../jobs/dto/job-page.query';

/** Query of `GET /api/v1/dead-letters`: a job page (queue, type, limit, cursor). */
export class ListDeadLettersQuery extends JobPageQuery {}

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
