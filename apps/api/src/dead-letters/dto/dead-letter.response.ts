import { ApiProperty } from '@nestjs/swagger';
import { QueueName } from '@conveyor/contracts';
import { jobCatalog } from '@conveyor/products';

export class DeadLetterErrorResponse {
  @ApiProperty({ example: 'Expected status 2xx, got 500' })
  message!: string;

  @ApiProperty({ example: 'UNEXPECTED_STATUS', description: 'STALLED: Bull failed the job past BULL_MAX_STALLED_COUNT' })
  code!: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'The first lines of the stack, when the error had one' })
  stack!: string | null;
}

export class DeadLetterResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ example: 'http.request' })
  type!: string;

  @ApiProperty({ enum: jobCatalog.queues() })
  queue!: QueueName;

  @ApiProperty({ example: 'user:alice', description: 'Who submitted the job (owner key)' })
  owner!: string;

  @ApiProperty({ type: DeadLetterErrorResponse, description: 'The last attempt’s error' })
  error!: DeadLetterErrorResponse;

  @ApiProperty({ description: 'Attempts of this run that ended' })
  attemptsMade!: number;

  @ApiProperty()
  maxAttempts!: number;

  @ApiProperty({ description: 'The run that failed (1 unless the job was retried or requeued before)' })
  run!: number;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The payload the run was given' })
  data!: unknown;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Start of the last attempt' })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the run failed for good' })
  failedAt!: string;
}

export class DeadLetterListResponse {
  @ApiProperty({ type: [DeadLetterResponse], description: 'Most recently failed first' })
  items!: DeadLetterResponse[];

  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor!: string | null;
}

export class DismissDeadLetterResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ enum: [true] })
  dismissed!: true;
}
