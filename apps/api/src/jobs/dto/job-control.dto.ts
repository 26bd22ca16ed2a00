import { ApiProperty } from '@nestjs/swagger';
import { JobStatus, PRIORITY_LEVELS, PRIORITY_RULE, PriorityInput } from '@conveyor/contracts';
import { IsDefined, ValidateBy } from 'class-validator';

export class ChangePriorityRequest {
  @ApiProperty({
    oneOf: [
      { type: 'integer', minimum: 1, maximum: 10 },
      { type: 'string', enum: Object.keys(PRIORITY_LEVELS) },
      { type: 'string', description: "A level in the job type's own scale (seed 002: URGENT, HIGH, NORMAL, LOW)" },
    ],
    example: 'urgent',
    description:
      "Conveyor's 1 (most urgent) to 10 or a named level; for a job type with its own scale, that scale (seed 002's video analyses: URGENT, HIGH, NORMAL, LOW or 4…1, higher first). Checked against the job's type.",
  })
  @IsDefined()
  @ValidateBy({
    name: 'isPriorityShape',
    validator: {
      validate: (value: unknown) => (typeof value === 'string' && value.length <= 32) || Number.isInteger(value),
      defaultMessage: () => `priority ${PRIORITY_RULE}`,
    },
  })
  priority!: PriorityInput | string;
}

export class CancelJobResponse {
  @ApiProperty({ enum: [true] })
  cancelled!: true;

  @ApiProperty({
    enum: [JobStatus.Cancelled, 'cancelling', JobStatus.Completed, JobStatus.Failed],
    description:
      'cancelled: removed from the queue; cancelling: running, it stops at its next step boundary or sooner; ' +
      'completed or failed: the job had ended, and the flow it started was cancelled (`descendantsCancelled`)',
  })
  status!: JobStatus | 'cancelling';

  @ApiProperty({ required: false, description: 'Jobs of the flow under this job that were cancelled or asked to stop' })
  descendantsCancelled?: number;
}

export class RetryJobResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ example: JobStatus.Waiting, description: '`waiting`, in the job type’s own words (`queued` for seed 003’s types)' })
  status!: string;

  @ApiProperty({ description: 'The run this retry starts (1 was the original submission); a job that ended well keeps its run' })
  run!: number;

  @ApiProperty({ required: false, description: 'A job that fanned out: jobs under it that failed or were cancelled, now running again' })
  descendantsRetried?: number;
}

export class ChangePriorityResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ minimum: 1, maximum: 10 })
  priority!: number;

  @ApiProperty({ description: 'Place among waiting jobs after the change (1 = next)' })
  queuePosition!: number;
}
