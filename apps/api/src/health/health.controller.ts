import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import { RedisHealthIndicator } from './redis.health';
import { ApiLifecycle } from '../lifecycle/api-lifecycle';
import { ThrottleAs } from '@conveyor/http';

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
  @ApiOperation({ summary: 'Liveness and dependencies: Redis and MongoDB reachability' })
  @ApiOkResponse({ description: '{ success: true, data: { status: "ok", info: { redis, mongo } } }' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; `details` names it' })
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.redis.pingCheck('redis'), () => this.mongo.pingCheck('mongo', { timeout: 1_000 })]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new ConveyorError(ErrorCode.ServiceUnavailable, `Unhealthy: ${down.join(', ')} unreachable`, { details: result.details });
    }
  }
}
