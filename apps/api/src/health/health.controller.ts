import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import { RedisHealthIndicator } from './redis.health';
import { ApiLifecycle } from '../lifecycle/api-lifecycle';
import { ThrottleAs, WithTopLevel } from '@conveyor/http';
import { QueueRegistry, withTimeout } from '@conveyor/queueing';
import { memoryReport } from './memory-report';
import { QueueHealthSummary } from './queue-health-summary';

/** The queues' judgement may not hold a probe up: past this, `checks.queues` is false. */
const QUEUE_CHECK_TIMEOUT_MS = 1_000;

@ApiTags('health')
// Probed by orchestrators and load balancers: never throttled.
@ThrottleAs('none')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongooseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly lifecycle: ApiLifecycle,
    private readonly queueHealth: QueueHealthSummary,
    private readonly queues: QueueRegistry,
  ) {}

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: whether this instance takes traffic',
    description:
      'Answers 503 from the moment the instance starts shutting down (SIGTERM), while it still serves for API_SHUTDOWN_DELAY_MS.',
  })
  @ApiOkResponse({ description: '{ success: true, data: { ready: true } }' })
  @ApiServiceUnavailableResponse({ description: 'Shutting down' })
  ready(): { ready: true } {
    if (!this.lifecycle.ready) {
      throw new ConveyorError(ErrorCode.ServiceUnavailable, 'Shutting down: send traffic to another instance', { retryAfterSeconds: 1 });
    }
    return { ready: true };
  }

  @Get()
  @ApiOperation({
    summary: 'Liveness and dependencies: Redis, MongoDB, queues, memory',
    description:
      'Both shapes in one answer: `data` as before (`{ status: "ok", info: { redis, mongo } }`), and beside it seed 004\'s ' +
      '`status` (healthy, degraded: a queue in error or memory above 85 % of the heap limit; unhealthy: the database or Redis ' +
      'is down, answered 503), `timestamp`, `uptime` (s), `checks { database, redis, queues, memory }` and ' +
      '`details { queues (how many), memory { heapUsed, heapTotal, heapLimit, rss (MB), usage, alert } }`. Queue health is ' +
      'judged as /health/detailed does, at most every 10 s.',
  })
  @ApiOkResponse({ description: '{ success: true, data: { status: "ok", info }, status: "healthy", timestamp, uptime, checks, details }' })
  @ApiServiceUnavailableResponse({ description: 'The database or Redis is down; `details` names it, `status` is "unhealthy"' })
  async check(): Promise<WithTopLevel<HealthCheckResult>> {
    const [result, queues] = await Promise.all([
      this.dependencies(),
      withTimeout(this.queueHealth.read(), QUEUE_CHECK_TIMEOUT_MS).catch(() => null),
    ]);
    const memory = memoryReport();
    const checks = {
      database: result.details.mongo?.status === 'up',
      redis: result.details.redis?.status === 'up',
      queues: queues !== null && queues.queues.every((q) => q.healthStatus !== 'error'),
      memory: !memory.alert,
    };
    const status = !checks.database || !checks.redis ? 'unhealthy' : checks.queues && checks.memory ? 'healthy' : 'degraded';
    const seed = { status, timestamp: new Date().toISOString(), uptime: Math.floor(process.uptime()), checks };
    const details = { queues: this.queues.all().length, memory };
    if (status === 'unhealthy') {
      const down = Object.keys(result.error ?? {});
      throw new ConveyorError(ErrorCode.ServiceUnavailable, `Unhealthy: ${down.join(', ')} unreachable`, {
        details: { ...result.details, ...details },
        topLevel: seed,
      });
    }
    return new WithTopLevel(result, { ...seed, details });
  }

  /** Redis and MongoDB pinged; a failed check is a result too (its `error` names what is down). */
  private async dependencies(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.redis.pingCheck('redis'), () => this.mongo.pingCheck('mongo', { timeout: 1_000 })]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return error.getResponse() as HealthCheckResult;
    }
  }
}
