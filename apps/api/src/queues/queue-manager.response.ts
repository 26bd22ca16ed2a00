import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { QueueActionResponse, QueueConfigResponse, QueueOverallMetricsResponse, QueueOverallStatusResponse } from './queue-admin.response';

export class QueueManagerPerformance {
  @ApiProperty({ description: 'Completed + failed for good in the window' }) total_jobs_processed!: number;
  @ApiProperty() total_jobs_failed!: number;
  @ApiProperty({ description: 'Attempts that failed and were retried' }) total_jobs_retried!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'Mean processing time, seconds' }) average_processing_time!: number | null;
  @ApiProperty({ description: 'This API process' }) uptime_seconds!: number;
}

/** One queue in the queue manager's field names (snake_case), beside the camelCase totals over every job queue. */
export class QueueManagerFields {
  @ApiProperty({ example: 'video-analysis', description: 'The queue the snake_case fields describe' }) queue!: string;
  @ApiProperty({ description: 'Waiting, paused and delayed jobs' }) queue_length!: number;
  @ApiProperty() active_jobs!: number;
  @ApiProperty({ description: 'Live workers consuming the queue (heartbeats)' }) active_workers!: number;
  @ApiProperty({ description: 'Jobs those workers can run at once on it' }) max_workers!: number;
  @ApiProperty({ description: 'active_jobs ÷ max_workers, %' }) utilization_percent!: number;
  @ApiProperty({ description: 'queue_length ÷ max_queue_size, %' }) queue_utilization_percent!: number;
  @ApiProperty() max_queue_size!: number;
  @ApiProperty() is_paused!: boolean;
  @ApiProperty({ description: 'Running jobs finish; submissions get 503' }) is_draining!: boolean;
  @ApiProperty({ type: 'number', nullable: true, description: 'Mean time the last 100 jobs waited for a worker, seconds' })
  average_queue_wait_seconds!: number | null;
  @ApiProperty({ description: 'The window of `performance`, hours' }) hours!: number;
  @ApiProperty({ type: QueueManagerPerformance }) performance!: QueueManagerPerformance;
}

/** GET /api/v1/queue/status: the totals over every job queue (camelCase) and one queue in the manager's names. */
export class QueueRouteStatusResponse extends IntersectionType(QueueOverallStatusResponse, QueueManagerFields) {}

/** GET /api/v1/queue/metrics: likewise, with the totals' outcome counts over the window. */
export class QueueRouteMetricsResponse extends IntersectionType(QueueOverallMetricsResponse, QueueManagerFields) {}

/** A queue's settings in the manager's names, and as PUT /api/v1/queues/:name/config shows them. */
export class QueueManagerConfigResponse extends QueueConfigResponse {
  @ApiProperty({ description: 'Jobs each worker runs at once' }) max_concurrent_jobs!: number;
  @ApiProperty() max_queue_size!: number;
  @ApiProperty({ description: 'Seconds' }) job_timeout!: number;
  @ApiProperty({ description: 'Attempts − 1' }) max_retries!: number;
}

export class QueueRestartResponse extends QueueActionResponse {
  @ApiProperty({ description: "The queue's restart generation: every worker re-creates its consumer within WORKER_CONFIG_POLL_MS" })
  generation!: number;
  @ApiProperty({ required: false, description: 'Why no lock was released, when none could be' }) note?: string;
}
