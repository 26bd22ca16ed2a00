import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JobStatus } from '@conveyor/contracts';
import { SubmittedJobResponse } from '../../jobs/dto/job.response';

export class DelayedJobResponse extends SubmittedJobResponse {
  @ApiProperty({ format: 'date-time', description: 'When the job becomes due' })
  runAt!: string;
}

export class ScheduleRunErrorResponse {
  @ApiProperty({ example: 'QUEUE_FULL' }) code!: string;
  @ApiProperty() message!: string;
}

export class ScheduleRunResultResponse {
  @ApiProperty({ enum: ['submitted', 'refused'], description: 'Whether the run’s job was enqueued' })
  outcome!: 'submitted' | 'refused';

  @ApiProperty({ enum: ['scheduled', 'manual'] })
  trigger!: 'scheduled' | 'manual';

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  jobId!: string | null;

  @ApiPropertyOptional({
    enum: JobStatus,
    nullable: true,
    description: 'The job’s status now, from its record (stats only; for a system schedule, from Bull)',
  })
  jobStatus?: JobStatus | null;

  @ApiProperty({ type: ScheduleRunErrorResponse, nullable: true })
  error!: ScheduleRunErrorResponse | null;
}

export class ScheduleResponse {
  @ApiProperty({ example: 'nightly-ping' }) name!: string;
  @ApiProperty({ example: 'http.request', description: 'The job type each run submits; for a system schedule, its task' })
  type!: string;
  @ApiProperty({ description: 'Built in: runs a maintenance task, can be triggered, cannot be deleted' }) system!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: object;
  @ApiProperty({ example: '0 */15 * * * *' }) cron!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null = UTC' }) timezone!: string | null;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Owner of the jobs it fires; null for a system schedule (its runs are maintenance-queue jobs)',
    example: 'service:scheduler',
  })
  jobOwner!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ example: 'service:admin' }) createdBy!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Cron time of the latest fired run' })
  lastRunAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextRunAt!: string | null;
  @ApiProperty({ type: ScheduleRunResultResponse, nullable: true }) lastResult!: ScheduleRunResultResponse | null;
}

export class TriggeredScheduleResponse extends SubmittedJobResponse {
  @ApiProperty({ example: 'nightly-ping' }) schedule!: string;
}

export class DeletedScheduleResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: [true] }) deleted!: true;
}

export class SchedulerStatsResponse {
  @ApiProperty() schedules!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The soonest next run of any schedule' })
  nextRunAt!: string | null;
  @ApiProperty({ description: 'Cron runs submitted since Redis was last emptied' }) fired!: number;
  @ApiProperty({ description: 'Cron runs whose submit was refused' }) refused!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Latest tick of any worker' })
  lastTickAt!: string | null;
  @ApiProperty({ type: [ScheduleResponse] }) items!: ScheduleResponse[];
}

export class OverdueScheduleResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty() lateMs!: number;
}

export class SchedulerHealthResponse {
  @ApiProperty({ enum: ['healthy', 'warning'] }) status!: 'healthy' | 'warning';
  @ApiProperty({ type: [String] }) reasons!: string[];
  @ApiProperty({ type: [OverdueScheduleResponse] }) overdue!: OverdueScheduleResponse[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastTickAt!: string | null;
  @ApiProperty({ description: 'A run later than this past its time counts as overdue' }) overdueAfterMs!: number;
}

export class ScheduleCountersResponse {
  @ApiProperty() name!: string;
  @ApiProperty() fired!: number;
  @ApiProperty() refused!: number;
}

export class SchedulerMetricsResponse {
  @ApiProperty() ticks!: number;
  @ApiProperty() fired!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ type: [ScheduleCountersResponse], description: 'Per current schedule' }) schedules!: ScheduleCountersResponse[];
}
