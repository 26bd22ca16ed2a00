import { ApiProperty } from '@nestjs/swagger';
import { IsPriority, JobStatus, PRIORITY_LEVELS, PriorityInput } from '@conveyor/contracts';
import { IsDefined } from 'class-validator';

export class ChangePriorityRequest {
  @ApiProperty({
    oneOf: [
      { type: 'integer', minimum: 1, maximum: 10 },
      { type: 'string', enum: Object.keys(PRIORITY_LEVELS) },
    ],
    example: 'urgent',
  })
  @IsDefined()
  @IsPriority()
  priority!: PriorityInput;
}

export class CancelJobResponse {
  @ApiProperty({ enum: [true] })
  cancelled!: true;

  @ApiProperty({
    enum: [JobStatus.Cancelled, 'cancelling'],
    description: 'cancelled: removed from the queue; cancelling: running, it stops at its next step boundary or sooner',
  })
  status!: JobStatus.Cancelled | 'cancelling';
}

export class RetryJobResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ example: JobStatus.Waiting, description: '`waiting`, in the job type’s own words (`queued` for seed 003’s types)' })
  status!: string;

  @ApiProperty({ description: 'The run this retry starts (1 was the original submission)' })
  run!: number;
}

export class ChangePriorityResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ minimum: 1, maximum: 10 })
  priority!: number;

  @ApiProperty({ description: 'Place among waiting jobs after the change (1 = next)' })
  queuePosition!: number;
}
