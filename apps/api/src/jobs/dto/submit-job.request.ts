import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions, getSchemaPath } from '@nestjs/swagger';
import {
  BackoffInput,
  JobOptionsInput,
  MAX_BACKOFF_DELAY_MS,
  MAX_DELAY_MS,
  MAX_LISTED_BACKOFF_DELAYS,
  PRIORITY_LEVELS,
  IsPriority,
  PriorityInput,
  PRIORITY_ORDERS,
  PriorityOrder,
  SubmitJobInput,
  WebhookEvent,
} from '@conveyor/contracts';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEnum,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { jobCatalog } from '@conveyor/products';

export const IsBackoff = () =>
  ValidateBy({
    name: 'isBackoff',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
        const keys = Object.keys(value).sort().join(',');
        const v = value as { type?: unknown };
        return ((v.type === 'fixed' || v.type === 'exponential') && keys === 'delay,type') || (v.type === 'list' && keys === 'delays,type');
      },
      defaultMessage: () => 'backoff must be { "type": "fixed" | "exponential", "delay": ms } or { "type": "list", "delays": [ms, …] }',
    },
  });

/** A backoff as clients write it (BackoffInput): a submission's `options.backoff` and a queue's config. */
export const BACKOFF_INPUT_SCHEMA: ApiPropertyOptions = {
  oneOf: [
    {
      type: 'object',
      properties: { type: { type: 'string', enum: ['fixed', 'exponential'] }, delay: { type: 'integer' } },
      required: ['type', 'delay'],
    },
    {
      type: 'object',
      properties: { type: { type: 'string', enum: ['list'] }, delays: { type: 'array', items: { type: 'integer' } } },
      required: ['type', 'delays'],
    },
  ],
  example: { type: 'exponential', delay: 2000 },
};

export class JobOptionsRequest implements JobOptionsInput {
  @ApiPropertyOptional({
    oneOf: [
      { type: 'integer', minimum: 1, maximum: 10 },
      { type: 'string', enum: Object.keys(PRIORITY_LEVELS) },
    ],
    description:
      '1 is the most urgent (10 the least); named levels: urgent=1, high=3, normal=5 (default), low=8. With `priorityOrder: "higher-first"` ' +
      'a number is read the other way round (10 the most urgent), as seed 004 writes it',
    example: 'high',
  })
  @IsOptional()
  @IsPriority()
  priority?: PriorityInput;

  @ApiPropertyOptional({ description: 'Milliseconds to hold the job back', minimum: 0, maximum: MAX_DELAY_MS, example: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  delay?: number;

  @ApiPropertyOptional({ description: "Attempts in all (default and cap from the job type's queue)", minimum: 1, example: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  attempts?: number;

  @ApiPropertyOptional({
    description: `Delay before each retry; delays in ms, at most ${MAX_BACKOFF_DELAY_MS}; a list holds at most ${MAX_LISTED_BACKOFF_DELAYS} delays and repeats its last`,
    ...BACKOFF_INPUT_SCHEMA,
  })
  @IsOptional()
  @IsBackoff()
  backoff?: BackoffInput;

  @ApiPropertyOptional({ description: 'Per-attempt time limit in ms; a timed-out attempt counts as failed', minimum: 1, example: 30000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  timeout?: number;
}

const submittable = jobCatalog.clientSubmittable();
const payloadSchemas = submittable.map((d) => ({ $ref: getSchemaPath(d.payload) }));

export class SubmitJobRequest implements SubmitJobInput {
  @ApiProperty({ enum: submittable.map((d) => d.type), example: 'http.request' })
  @IsString()
  @MaxLength(100)
  type!: string;

  @ApiPropertyOptional({
    enum: jobCatalog.queues(),
    description: "The type's queue, as seed 004's clients send it: optional, and if sent it must be the type's own (else 400)",
    example: 'http',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  queue?: string;

  @ApiPropertyOptional({
    enum: PRIORITY_ORDERS,
    description:
      "How `options.priority` is written. `lower-first` (Conveyor's, Bull's, seeds 000/001): 1 is the most urgent. " +
      '`higher-first` (seed 004: "higher = more important"): 10 is the most urgent; it is mapped onto ours (p → 11 − p) and then ' +
      'checked as usual. Named levels mean the same either way',
  })
  @IsOptional()
  @IsIn(PRIORITY_ORDERS)
  priorityOrder?: PriorityOrder;

  @ApiProperty({ description: "The job type's payload (schemas per type below)", oneOf: payloadSchemas })
  @IsDefined()
  @IsObject()
  data!: Record<string, unknown>;

  @ApiPropertyOptional({ type: JobOptionsRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => JobOptionsRequest)
  options?: JobOptionsRequest;

  @ApiPropertyOptional({
    description: 'Receives signed webhooks about this job; must pass the same outbound policy as http.request targets',
    example: 'https://example.com/hooks/conveyor',
    maxLength: 2048,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  callbackUrl?: string;

  @ApiPropertyOptional({ enum: WebhookEvent, isArray: true, description: 'Default: completed, failed, cancelled' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsEnum(WebhookEvent, { each: true })
  callbackEvents?: WebhookEvent[];

  @ApiPropertyOptional({
    description: "Your own HMAC secret for this job's webhooks (default: the service's); never shown again",
    minLength: 16,
    maxLength: 256,
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  callbackSecret?: string;
}

/** Query of `POST /api/v1/jobs`. */
export class SubmitJobQuery {
  @ApiPropertyOptional({ description: 'Validate and return the resolved plan without enqueuing', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  dryRun?: boolean;
}

export const MAX_BULK_JOBS = 500;

/** `POST /api/v1/jobs/bulk`: items are validated one by one, so one bad item does not sink the batch. */
export class BulkSubmitRequest {
  @ApiProperty({ type: [SubmitJobRequest], minItems: 1, maxItems: MAX_BULK_JOBS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_JOBS)
  jobs!: unknown[];
}
