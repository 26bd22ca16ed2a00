import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions, getSchemaPath } from '@nestjs/swagger';
import { BackoffSpec, JobStatus, QueueName } from '@conveyor/contracts';
import { jobCatalog } from '@conveyor/products';
import { FlowProgressResponse } from '../flows/job-flow.response';

/** Any JSON value, null included (OpenAPI 3.0 has no null type: a nullable object stands for it). */
const JSON_VALUE = [
  { type: 'object', nullable: true, additionalProperties: true },
  { type: 'array', items: {} },
  { type: 'string' },
  { type: 'number' },
  { type: 'boolean' },
];

/** The result classes job types declare (JobTypeDefinition.result); the controller registers them as extra models. */
export const JOB_RESULT_MODELS = jobCatalog.all().flatMap((d) => (d.result ? [d.result] : []));

/** A job's result: one of the declared result shapes, or any JSON value for a type that declares none. */
export const JOB_RESULT_SCHEMA = { anyOf: [...JOB_RESULT_MODELS.map((model) => ({ $ref: getSchemaPath(model) })), ...JSON_VALUE] };

export class SubmittedJobResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ enum: jobCatalog.queues() })
  queue!: QueueName;

  @ApiProperty({ example: 'http.request' })
  type!: string;

  @ApiProperty({ enum: [JobStatus.Waiting, JobStatus.Delayed] })
  status!: JobStatus;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Place among waiting jobs (1 = next); null while delayed' })
  queuePosition!: number | null;

  @ApiProperty({ type: 'integer', description: 'Rough wait before the job starts, from recent processing times' })
  estimatedWaitSeconds!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
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

  @ApiProperty({ enum: jobCatalog.queues() })
  queue!: QueueName;

  @ApiProperty({
    example: JobStatus.Active,
    description:
      "The status in the job type's own words: Conveyor's (`conveyorStatus`) unless the type has a status vocabulary, e.g. seed 003's " +
      '`queued`/`running`/`succeeded`/`failed`. `stalled` (seed 004): active, but no worker holds its lock any more (its worker died); ' +
      'Bull puts it back in the queue at its next stall check',
  })
  status!: string;

  @ApiProperty({ enum: JobStatus, description: 'The status in Conveyor’s words, whatever the job type' })
  conveyorStatus!: JobStatus;

  @ApiProperty({ minimum: 1, maximum: 10 })
  priority!: number;

  @ApiProperty({ type: JobProgressResponse })
  progress!: JobProgressResponse;

  @ApiProperty({ description: 'Attempts of the current run that have ended' })
  attemptsMade!: number;

  @ApiProperty({ description: '`attemptsMade`, as seed 004 names it' })
  attempts!: number;

  @ApiProperty()
  maxAttempts!: number;

  @ApiProperty({ description: '1, plus one for every retry of the finished job' })
  run!: number;

  @ApiProperty({
    ...JOB_RESULT_SCHEMA,
    description:
      "null until completed; shape depends on the job type. Seed 004's types also carry `success`, `data` (the result itself) and " +
      '`processingTime` (ms) in it, as that seed shows',
  })
  result!: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The payload as submitted (GET /api/v1/jobs/:jobId and its events only; owner or admin)',
  })
  data?: unknown;

  @ApiPropertyOptional({ type: JobErrorResponse, nullable: true, description: 'The last attempt’s error' })
  error!: JobErrorResponse | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Start of the latest attempt' })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: '`finishedAt` of a completed job (seed 004)' })
  completedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: '`finishedAt` of a failed job (seed 004)' })
  failedAt!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'ms from the last attempt’s start to the job’s end; null until it ends' })
  processingTime!: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a delayed job or the next retry is due' })
  runAt!: string | null;

  @ApiProperty({ enum: ['queue', 'record'], description: 'queue: live from Redis; record: from MongoDB after Bull removed the job' })
  source!: 'queue' | 'record';

  @ApiProperty({
    type: () => FlowProgressResponse,
    required: false,
    description: 'A job that fanned out: the flow under it (GET /api/v1/jobs/:jobId/flow has the tree). In GET /api/v1/jobs/:jobId only',
  })
  flow?: FlowProgressResponse;
}

/**
 * Retry delays as a job or a queue keeps them (BackoffSpec): fixed, exponential (doubling from
 * `delayMs`, capped at `maxDelayMs`, else 1 h), or a list (its last delay repeats once exhausted).
 */
export const BACKOFF_SPEC_SCHEMA: ApiPropertyOptions = {
  oneOf: [
    {
      type: 'object',
      properties: { type: { type: 'string', enum: ['fixed'] }, delayMs: { type: 'integer' } },
      required: ['type', 'delayMs'],
    },
    {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['exponential'] },
        delayMs: { type: 'integer', description: 'The first delay; each later one doubles' },
        maxDelayMs: { type: 'integer', description: 'The cap on a delay (1 h when absent)' },
      },
      required: ['type', 'delayMs'],
    },
    {
      type: 'object',
      properties: { type: { type: 'string', enum: ['list'] }, delaysMs: { type: 'array', items: { type: 'integer' } } },
      required: ['type', 'delaysMs'],
    },
  ],
  example: { type: 'exponential', delayMs: 2000 },
};

export class JobPlanResponse {
  @ApiProperty({ enum: [true] })
  dryRun!: true;

  @ApiProperty({ example: 'http.request' })
  type!: string;

  @ApiProperty({ enum: jobCatalog.queues() })
  queue!: QueueName;

  @ApiProperty({ minimum: 1, maximum: 10 })
  priority!: number;

  @ApiProperty()
  delayMs!: number;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ ...BACKOFF_SPEC_SCHEMA, description: 'Delays before each retry, in ms, as the job will run with them' })
  backoff!: BackoffSpec;

  @ApiProperty()
  timeoutMs!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Place it would take among waiting jobs; null if delayed' })
  queuePosition!: number | null;

  @ApiProperty({ type: 'integer' })
  estimatedWaitSeconds!: number;

  @ApiProperty({ description: 'false when the queue is at its backlog limit (a real submit would get 429 QUEUE_FULL)' })
  admitted!: boolean;
}

export class BulkItemErrorResponse {
  @ApiProperty({ example: 'VALIDATION_FAILED' })
  error_code!: string;

  @ApiProperty()
  detail!: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } })
  errors?: Array<{ field: string; message: string }>;
}

export class BulkItemResponse {
  @ApiProperty({ description: 'Position of the item in the request' })
  index!: number;

  @ApiPropertyOptional({ type: SubmittedJobResponse, description: 'Present when the item was accepted' })
  job?: SubmittedJobResponse;

  @ApiPropertyOptional({ type: BulkItemErrorResponse, description: 'Present when the item was refused' })
  error?: BulkItemErrorResponse;
}

export class BulkSubmitResponse {
  @ApiProperty()
  accepted!: number;

  @ApiProperty()
  rejected!: number;

  @ApiProperty({ type: [BulkItemResponse], description: 'One entry per submitted item, in request order' })
  items!: BulkItemResponse[];
}
