import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BackoffSpec, EffectiveQueuePolicy, Fits, HealthThresholds, QueueName, QueueOverrides } from '@conveyor/contracts';
import { BACKOFF_SPEC_SCHEMA } from '../jobs/dto/job.response';

export class QueueCountsResponse {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'Waiting jobs of a paused queue' }) paused!: number;
}

/** Seed 004's `liveStats`: the live counts, and their sum. */
export class QueueLiveStatsResponse {
  @ApiProperty({ description: 'Waiting, a paused queue’s included' }) waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty({ description: 'Finished jobs Bull still keeps (removeOnComplete)' }) completed!: number;
  @ApiProperty({ description: 'Failed jobs Bull still keeps (removeOnFail)' }) failed!: number;
  @ApiProperty({ description: 'The sum of the above' }) total!: number;
}

/** Seed 004's `configuration`: the queue's policy in its words. */
export class QueueConfigurationResponse {
  @ApiProperty({ description: 'Jobs one worker runs at once' }) concurrency!: number;
  @ApiProperty({ description: 'Default attempts per job' }) retryAttempts!: number;
  @ApiProperty({ description: 'ms before the first retry (later ones per the backoff)' }) retryDelay!: number;
  @ApiProperty({ description: 'Completed jobs Bull keeps in Redis' }) removeOnComplete!: number;
  @ApiProperty({ description: 'Failed jobs Bull keeps in Redis' }) removeOnFail!: number;
}

export class QueueSummaryResponse {
  @ApiProperty({ example: 'http' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Business and competitor discovery jobs' })
  description!: string | null;

  @ApiProperty({ type: QueueCountsResponse })
  counts!: QueueCountsResponse;

  @ApiProperty({ description: 'Paused for every worker' })
  isPaused!: boolean;

  @ApiProperty({ description: 'Draining: running jobs finish, submissions get 503' })
  isDraining!: boolean;

  @ApiProperty({ description: 'Taking new work: neither paused nor draining' })
  isActive!: boolean;

  @ApiProperty({ enum: ['healthy', 'warning', 'error'] })
  healthStatus!: 'healthy' | 'warning' | 'error';

  @ApiProperty({ type: [String], description: 'Why the queue is not healthy' })
  healthReasons!: string[];

  @ApiProperty({ description: 'Jobs completed per minute over the last 5 minutes' })
  processingRatePerMinute!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Mean of the last 100 processing times' })
  averageProcessingMs!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  p95ProcessingMs!: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastProcessedAt!: string | null;

  @ApiProperty({ description: 'Live workers consuming this queue (from their heartbeats)' })
  workers!: number;

  @ApiProperty({ description: 'Their combined concurrency on it' })
  capacity!: number;

  @ApiProperty({ type: QueueLiveStatsResponse, description: 'Seed 004’s name for `counts`, with their total' })
  liveStats!: QueueLiveStatsResponse;

  @ApiProperty({ description: '`processingRatePerMinute` (seed 004): jobs per minute' })
  processingRate!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: '`averageProcessingMs` (seed 004), ms' })
  averageProcessingTime!: number | null;

  @ApiProperty({ type: QueueConfigurationResponse })
  configuration!: QueueConfigurationResponse;

  @ApiProperty({ type: String, format: 'date-time', description: 'When this health status was judged (now: it is live)' })
  lastHealthCheck!: string;
}

export class HourlyMetricsResponse {
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the hour (UTC)' }) hour!: string;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() retried!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty({ type: 'integer', nullable: true }) avgProcessingMs!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) p95ProcessingMs!: number | null;
  @ApiProperty({ type: 'number', nullable: true, description: 'completed ÷ (completed + failed)' }) successRate!: number | null;
}

export class QueueSnapshotCountsResponse {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() failed!: number;
}

export class QueueSnapshotLastHourResponse {
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() retried!: number;
  @ApiProperty() cancelled!: number;
}

export class QueueSnapshotResponse {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: QueueSnapshotCountsResponse }) counts!: QueueSnapshotCountsResponse;
  @ApiProperty({ type: QueueSnapshotLastHourResponse }) lastHour!: QueueSnapshotLastHourResponse;
  @ApiProperty({ type: 'number', nullable: true, description: 'failed ÷ (completed + failed) over the hour before' })
  failureRate!: number | null;
  @ApiProperty() averageProcessingMs!: number;
  @ApiProperty({ description: 'Live workers consuming the queue' }) workers!: number;
  @ApiProperty({ description: 'Their combined concurrency' }) capacity!: number;
}

export class QueueOverallStatusResponse {
  @ApiProperty({ description: 'Waiting, paused and delayed jobs on every job queue' }) queueLength!: number;
  @ApiProperty() activeJobs!: number;
  @ApiProperty({ description: 'Live worker processes (heartbeats)' }) activeWorkers!: number;
  @ApiProperty({ description: 'Jobs the live workers can run at once' }) maxConcurrentJobs!: number;
  @ApiProperty({ description: 'activeJobs ÷ maxConcurrentJobs, %' }) utilisationPercent!: number;
  @ApiProperty({ description: 'queueLength ÷ the backlog limits, %' }) queueUtilisationPercent!: number;
  @ApiProperty({ description: 'This API process' }) uptimeSeconds!: number;
}

export class QueueOverallMetricsResponse {
  @ApiProperty() hours!: number;
  @ApiProperty({ description: 'Completed + failed for good' }) processed!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'Attempts that failed and were retried' }) retried!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty({ type: 'integer', nullable: true }) averageProcessingMs!: number | null;
  @ApiProperty({ type: 'number', nullable: true }) successRate!: number | null;
  @ApiProperty() uptimeSeconds!: number;
}

export class QueueJobResponse {
  @ApiProperty() jobId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() attemptsMade!: number;
  @ApiProperty({
    oneOf: [
      { type: 'number' },
      { type: 'object', additionalProperties: true, properties: { percent: { type: 'number' }, step: { type: 'string', nullable: true } } },
    ],
    description: "Bull's own value: 0 until the worker first reports, then percent and step as it reported them",
  })
  progress!: unknown;
  @ApiProperty({ type: String, nullable: true }) failedReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) processedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
}

export class QueueJobsResponse {
  @ApiProperty({ type: [QueueJobResponse] }) items!: QueueJobResponse[];
  @ApiProperty() page!: number;
  @ApiProperty() limit!: number;
  @ApiProperty({ description: 'Jobs in this state in all' }) total!: number;
}

export class QueueActionResponse {
  @ApiProperty({ example: 'http' }) queue!: string;
  @ApiProperty({ example: 'paused' }) action!: string;
  @ApiProperty({ required: false, description: 'Jobs removed or released, where the action removes any' }) affected?: number;
}

/** Bull's rate limiter of a queue: at most `max` jobs started per `durationMs`, across all workers. */
export class QueueRateLimitResponse {
  @ApiProperty({ type: 'integer' }) max!: number;
  @ApiProperty({ type: 'integer' }) durationMs!: number;
}

/** A queue's own alert thresholds, where they differ from the HEALTH_* settings. */
export class QueueHealthThresholdsResponse {
  @ApiPropertyOptional({ type: 'integer', description: 'More waiting jobs than this → warning' }) queueDepthWarning?: number;
  @ApiPropertyOptional({ description: 'Share of jobs failed for good above this → warning' }) failureRateWarning?: number;
  @ApiPropertyOptional({ description: '…and above this → error' }) failureRateError?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'The failure rate’s window, minutes' }) failureRateWindowMinutes?: number;
  @ApiPropertyOptional({ description: 'An active job running this many times the average is stuck' }) stuckFactor?: number;
  @ApiPropertyOptional({ type: 'integer', description: '…but never before it has run this long, ms' }) stuckMinAgeMs?: number;
  @ApiPropertyOptional({ description: 'Active jobs over the workers’ concurrency above this → warning' }) utilisationWarning?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Average processing time above this, ms → warning (0: off)' })
  averageProcessingWarningMs?: number;
}

/** A queue's policy with the environment's and the operator's settings applied (EffectiveQueuePolicy). */
export class EffectiveQueuePolicyResponse {
  @ApiProperty({ type: String, example: 'http' }) name!: QueueName;
  @ApiPropertyOptional({ example: 'Outbound HTTP calls (http.request jobs)' }) description?: string;
  @ApiProperty({ type: 'integer', description: 'Jobs one worker process runs at once on this queue' }) concurrency!: number;
  @ApiProperty({ type: 'integer', description: 'Default attempts per job' }) attempts!: number;
  @ApiProperty({ type: 'integer', description: 'The most attempts a submission may ask for' }) maxAttempts!: number;
  @ApiProperty({ ...BACKOFF_SPEC_SCHEMA, description: 'Default delays before retries' }) backoff!: BackoffSpec;
  @ApiProperty({ type: 'integer', description: 'Default per-attempt time limit, ms' }) timeoutMs!: number;
  @ApiProperty({ type: 'integer', description: 'The longest per-attempt time limit a submission may ask for, ms' }) maxTimeoutMs!: number;
  @ApiProperty({ type: 'integer', description: 'Waiting + delayed jobs above which submissions get 429' }) backlogLimit!: number;
  @ApiProperty({ type: 'integer', description: 'Completed jobs Bull keeps in Redis' }) keepCompleted!: number;
  @ApiProperty({ type: 'integer', description: 'Failed jobs Bull keeps in Redis' }) keepFailed!: number;
  @ApiProperty({ type: 'integer', description: 'Typical processing time, ms (the first ETA before real timings exist)' })
  expectedDurationMs!: number;
  @ApiPropertyOptional({ description: 'The queue `/api/v1/queue/*` acts on when no `?queue=` names one' }) defaultForQueueRoutes?: boolean;
  @ApiPropertyOptional({
    type: QueueHealthThresholdsResponse,
    description: 'This queue’s alert thresholds where they differ from HEALTH_*',
  })
  healthThresholds?: QueueHealthThresholdsResponse;
  @ApiProperty({ type: QueueRateLimitResponse, nullable: true, description: 'null: no rate limit' })
  rateLimit!: QueueRateLimitResponse | null;
}

/** What an operator saved for a queue (QueueOverrides): only the settings they changed. */
export class QueueOverridesResponse {
  @ApiPropertyOptional({ type: 'integer' }) concurrency?: number;
  @ApiPropertyOptional({ type: 'integer' }) attempts?: number;
  @ApiPropertyOptional({ ...BACKOFF_SPEC_SCHEMA }) backoff?: BackoffSpec;
  @ApiPropertyOptional({ type: 'integer', description: 'ms' }) timeoutMs?: number;
  @ApiPropertyOptional({ type: 'integer' }) backlogLimit?: number;
  @ApiPropertyOptional({ type: QueueRateLimitResponse }) rateLimit?: QueueRateLimitResponse;
  @ApiPropertyOptional({ type: 'integer' }) keepCompleted?: number;
  @ApiPropertyOptional({ type: 'integer' }) keepFailed?: number;
}

export class QueueConfigResponse {
  @ApiProperty({ example: 'http' }) queue!: string;
  @ApiProperty({
    type: EffectiveQueuePolicyResponse,
    description: 'What producers and workers use now (policy defaults with the saved settings applied)',
  })
  effective!: EffectiveQueuePolicyResponse;
  @ApiProperty({ type: QueueOverridesResponse, description: 'What an operator saved (empty: all defaults)' })
  saved!: QueueOverridesResponse;
}

/** The classes name every field the policies carry (and the policies fit them: queue-reads.service returns them as such). */
export type QueueConfigDocumented = [
  Fits<keyof EffectiveQueuePolicy, keyof EffectiveQueuePolicyResponse>,
  Fits<keyof HealthThresholds, keyof QueueHealthThresholdsResponse>,
  Fits<keyof QueueOverrides, keyof QueueOverridesResponse>,
];
