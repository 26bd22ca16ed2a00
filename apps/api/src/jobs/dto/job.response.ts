import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JobStatus, QueueName } from '@conveyor/contracts';

export class SubmittedJobResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ enum: QueueName })
  queue!: QueueName;

  @ApiProperty({ enum: [JobStatus.Waiting, JobStatus.Delayed] })
  status!: JobStatus;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Place among waiting jobs (1 = next); null while delayed' })
  queuePosition!: number | null;

  @ApiProperty({ type: 'integer', description: 'Rough wait before the job starts, from recent processing times' })
  estimatedWaitSeconds!: number;
}

export class JobProgressResponse {
  @ApiProperty({ minimum: 0, maximum: 100 })
  percent!: number;

  @ApiProperty({ type: 'string', nullable: true, description: 'The running step' })
  step!: string | null;
}

export class JobErrorResponse {
  @ApiProperty()
  message!: string;

  @ApiProperty({ example: 'UnexpectedStatusError' })
  code!: string;
}

export class JobResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ example: 'http.request' })
  type!: string;

  @ApiProperty({ enum: QueueName })
  queue!: QueueName;

  @ApiProperty({ enum: JobStatus })
  status!: JobStatus;

  @ApiProperty({ minimum: 1, maximum: 10 })
  priority!: number;

  @ApiProperty({ type: JobProgressResponse })
  progress!: JobProgressResponse;

  @ApiProperty({ description: 'Attempts of the current run that have ended' })
  attemptsMade!: number;

  @ApiProperty()
  maxAttempts!: number;

  @ApiProperty({ description: '1, plus one for every retry of the finished job' })
  run!: number;

  @ApiPropertyOptional({ description: 'Present once completed; shape depends on the job type' })
  result!: unknown;

  @ApiPropertyOptional({ type: JobErrorResponse, nullable: true, description: 'The last attempt’s error' })
  error!: JobErrorResponse | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Start of the latest attempt' })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a delayed job or the next retry is due' })
  runAt!: string | null;

  @ApiProperty({ enum: ['queue', 'record'], description: 'queue: live from Redis; record: from MongoDB after Bull removed the job' })
  source!: 'queue' | 'record';
}
