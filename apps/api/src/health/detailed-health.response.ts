import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HEALTH_THRESHOLDS, HealthStatus, ServiceHealthStatus } from '@conveyor/contracts';

const HEALTH = ['healthy', 'warning', 'error'];
const NUMBER_MAP = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class RedisHealthReport {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';

  @ApiProperty({ enum: HEALTH })
  health!: HealthStatus;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'noeviction',
    description: 'Anything else is a warning: evicted Bull keys lose jobs',
  })
  maxmemoryPolicy!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: '7.0.15' })
  version!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  usedMemoryBytes!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: '0 = no limit' })
  maxmemoryBytes!: number | null;

  @ApiProperty({ type: [String] })
  reasons!: string[];
}

export class MongoHealthReport {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';

  @ApiProperty({ enum: HEALTH })
  health!: HealthStatus;

  @ApiProperty({ type: [String] })
  reasons!: string[];
}

export class QueueDepthReport {
  @ApiProperty({ description: 'Including the jobs of a paused queue' })
  waiting!: number;

  @ApiProperty()
  active!: number;

  @ApiProperty()
  delayed!: number;

  @ApiProperty()
  failed!: number;
}

export class QueueWindowReport {
  @ApiProperty()
  completed!: number;

  @ApiProperty({ description: 'Failed for good (last attempt, or a permanent error)' })
  failed!: number;

  @ApiProperty({ description: 'Attempts that failed and were retried' })
  retried!: number;

  @ApiProperty()
  cancelled!: number;

  @ApiProperty({ type: 'number', nullable: true, description: 'failed ÷ (completed + failed); null when nothing finished' })
  failureRate!: number | null;
}

export class StuckJobReport {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ example: 'http.request' })
  type!: string;

  @ApiProperty({ description: 'How long its current attempt has run' })
  activeForMs!: number;
}

export class QueueHealthReport {
  @ApiProperty({ example: 'http' })
  name!: string;

  @ApiProperty({ enum: HEALTH })
  status!: HealthStatus;

  @ApiProperty({ type: [String], description: 'One sentence per threshold crossed' })
  reasons!: string[];

  @ApiProperty({ type: QueueDepthReport, nullable: true })
  counts!: QueueDepthReport | null;

  @ApiProperty({ type: QueueWindowReport, nullable: true, description: 'Outcomes over the last hour' })
  lastHour!: QueueWindowReport | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Mean of the latest processing times' })
  averageProcessingMs!: number | null;

  @ApiProperty({ type: [StuckJobReport], description: "Active longer than HEALTH_STUCK_FACTOR × the queue's average" })
  stuckJobs!: StuckJobReport[];

  @ApiProperty({ description: 'Live workers consuming this queue' })
  workers!: number;

  @ApiProperty({ description: 'Their combined concurrency on it' })
  capacity!: number;

  @ApiProperty({ type: 'number', nullable: true, description: 'active ÷ capacity; null without capacity' })
  utilisation!: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: "What this queue is judged by: the HEALTH_* settings, with the queue policy's own thresholds on top",
  })
  thresholds!: Record<string, number>;
}

export class WorkerHeartbeatReport {
  @ApiProperty({ example: 'worker-1:4242:a1b2c3' })
  id!: string;

  @ApiProperty()
  pid!: number;

  @ApiProperty()
  hostname!: string;

  @ApiProperty({ type: [String] })
  queues!: string[];

  @ApiProperty({ ...NUMBER_MAP, description: 'Concurrency per queue' })
  concurrency!: Record<string, number>;

  @ApiProperty({ ...NUMBER_MAP, description: 'Jobs running now per queue' })
  activeJobs!: Record<string, number>;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Its latest heartbeat (worker clock)' })
  beatAt!: string;
}

export class ServiceHealthReport {
  @ApiProperty({ example: 'profile', description: 'profile, transcript or analysis (PROFILE_SERVICE_URL, …)' })
  name!: string;

  @ApiProperty({
    enum: ['up', 'down', 'not_configured', 'unknown'],
    description: 'From the latest `health-check-services` run; `unknown` before the first; `not_configured` without a URL',
  })
  status!: ServiceHealthStatus;

  @ApiPropertyOptional({ type: Number, nullable: true }) statusCode?: number | null;
  @ApiPropertyOptional() latencyMs?: number;
  @ApiPropertyOptional({ format: 'date-time' }) checkedAt?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) error?: string | null;
}

export class CircuitReportResponse {
  @ApiProperty({ example: 'transcript', description: 'The configured service the origin belongs to, else the origin' }) service!: string;
  @ApiProperty({ example: 'http://transcripts:8080' }) origin!: string;
  @ApiProperty({ enum: ['closed', 'half-open', 'open'], description: 'The worst of the live workers’ breakers' }) state!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'Live workers per state' })
  workers!: Record<string, number>;
  @ApiProperty({ type: String, format: 'date-time' }) changedAt!: string;
}

/** This API process's memory (MB); `usage` is heapUsed ÷ the heap limit. */
export class MemoryReportResponse {
  @ApiProperty() heapUsed!: number;
  @ApiProperty({ description: 'What V8 has reserved so far (it grows on demand)' }) heapTotal!: number;
  @ApiProperty({ description: "V8's heap limit" }) heapLimit!: number;
  @ApiProperty({ description: 'Resident set size' }) rss!: number;
  @ApiProperty({ example: '35.16%' }) usage!: string;
  @ApiProperty({ description: 'Above 85 % of the heap limit (seed 004’s alert): a warning' }) alert!: boolean;
}

export class DetailedHealthResponse {
  @ApiProperty({ enum: HEALTH, description: 'The worst status of every part below' })
  status!: HealthStatus;

  @ApiProperty({ format: 'date-time' })
  checkedAt!: string;

  @ApiProperty({ type: [String], description: 'Problems not tied to one part (e.g. no live worker)' })
  reasons!: string[];

  @ApiProperty({ type: RedisHealthReport })
  redis!: RedisHealthReport;

  @ApiProperty({ type: MongoHealthReport })
  mongo!: MongoHealthReport;

  @ApiProperty({ type: [QueueHealthReport] })
  queues!: QueueHealthReport[];

  @ApiProperty({ type: MemoryReportResponse, description: 'This API process (workers export theirs on their /metrics)' })
  memory!: MemoryReportResponse;

  @ApiProperty({ type: [WorkerHeartbeatReport], nullable: true, description: 'null when heartbeats could not be read' })
  workers!: WorkerHeartbeatReport[] | null;

  @ApiProperty({ type: [ServiceHealthReport], nullable: true, description: 'null when the probes could not be read' })
  services!: ServiceHealthReport[] | null;

  @ApiProperty({
    type: [CircuitReportResponse],
    nullable: true,
    description:
      "Downstream services' circuit breakers over the live workers (null when heartbeats cannot be read); one not closed is a warning",
  })
  circuits!: CircuitReportResponse[] | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: HEALTH_THRESHOLDS })
  thresholds!: Record<string, number>;
}
