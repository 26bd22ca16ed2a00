import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JobStatus } from '@conveyor/contracts';
import { SubmittedJobResponse } from '../../jobs/dto/job.response';
import { MemoryReportResponse } from '../../health/detailed-health.response';

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
  @ApiProperty({ description: "An admin's schedule of a system task: each run is that task on the maintenance queue, `data` its options" })
  task!: boolean;
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

export class QueueHealthItemResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['healthy', 'warning', 'error'] }) healthStatus!: 'healthy' | 'warning' | 'error';
  @ApiProperty({ description: 'Jobs per minute (last 5 minutes)' }) processingRate!: number;
  @ApiProperty({ description: 'liveStats.total of GET /api/v1/queues' }) totalJobs!: number;
}

export class SchedulerStatsResponse {
  @ApiProperty({ description: '`schedules`, as seed 004 names it' }) scheduledJobsCount!: number;
  @ApiProperty({ type: [String], description: 'The schedules’ names' }) scheduledJobs!: string[];
  @ApiProperty({ type: [QueueHealthItemResponse] }) queueHealth!: QueueHealthItemResponse[];
  @ApiProperty({ description: 'This API process’s uptime, s' }) uptime!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Last run of health-check-services' })
  lastHealthCheck!: string | null;
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
  @ApiProperty({ type: () => QueueHealthOverviewResponse, nullable: true, description: 'null when the queues could not be read' })
  queueHealth!: QueueHealthOverviewResponse | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Last run of health-check-services' })
  lastHealthCheck!: string | null;
}

export class QueueHealthStatusResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['healthy', 'warning', 'error'] }) healthStatus!: 'healthy' | 'warning' | 'error';
}

/** The queues' health in short, as /health judges it. */
export class QueueHealthOverviewResponse {
  @ApiProperty({ format: 'date-time' }) checkedAt!: string;
  @ApiProperty() healthy!: number;
  @ApiProperty() warning!: number;
  @ApiProperty() error!: number;
  @ApiProperty({ type: [QueueHealthStatusResponse] }) notHealthy!: QueueHealthStatusResponse[];
}

export class ScheduleCountersResponse {
  @ApiProperty() name!: string;
  @ApiProperty() fired!: number;
  @ApiProperty() refused!: number;
}

export class CpuMetricsResponse {
  @ApiProperty({ description: 'CPU time of this API process, ms' }) userMs!: number;
  @ApiProperty() systemMs!: number;
  @ApiProperty({ type: [Number], description: '1, 5 and 15 minutes' }) loadAverage!: number[];
  @ApiProperty() cores!: number;
}

export class SystemResourceMetricsResponse {
  @ApiProperty({ description: 's' }) uptime!: number;
  @ApiProperty({ type: MemoryReportResponse }) memory!: MemoryReportResponse;
  @ApiProperty({ type: CpuMetricsResponse }) cpu!: CpuMetricsResponse;
  @ApiProperty({ type: 'object', properties: { connectedClients: { type: 'integer', nullable: true } } })
  redis!: { connectedClients: number | null };
}

export class QueueThroughputMetricsResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Jobs completed per minute, last 5 minutes' }) throughputPerMinute!: number;
  @ApiProperty({ type: 'object', properties: { completed: { type: 'integer' }, failed: { type: 'integer' } } })
  lastHour!: { completed: number; failed: number };
  @ApiProperty({ type: 'number', nullable: true, description: 'Completed ÷ ended, last hour' }) successRate!: number | null;
  @ApiProperty({ type: 'number', nullable: true, description: 'Failed for good ÷ ended, last hour (seed 004 alerts above 0.1)' })
  errorRate!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) averageProcessingMs!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) p95ProcessingMs!: number | null;
  @ApiProperty({ description: 'Waiting jobs' }) depth!: number;
}

export class SchedulerMetricsResponse {
  @ApiProperty({ type: SystemResourceMetricsResponse, description: 'Seed 004’s resource usage: this API process, and Redis' })
  system!: SystemResourceMetricsResponse;
  @ApiProperty({ type: [QueueThroughputMetricsResponse], description: 'Seed 004’s key metrics per queue' })
  queues!: QueueThroughputMetricsResponse[];
  @ApiProperty() ticks!: number;
  @ApiProperty() fired!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ type: [ScheduleCountersResponse], description: 'Per current schedule' }) schedules!: ScheduleCountersResponse[];
}
