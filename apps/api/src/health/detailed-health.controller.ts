import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@conveyor/http';
import { ApiSuccess } from '@conveyor/http';
import { DetailedHealthResponse } from './detailed-health.response';
import { DetailedHealthService } from './detailed-health.service';

@ApiTags('health')
@AdminOnly()
@Controller('health')
export class DetailedHealthController {
  constructor(private readonly health: DetailedHealthService) {}

  @Get('detailed')
  @ApiOperation({
    summary: 'Detailed health for operators (admin)',
    description:
      'Redis (with its maxmemory-policy: anything but noeviction is a warning), MongoDB, every queue judged against the alert ' +
      'thresholds (more than 100 waiting, failure rate over 10% in the last hour, jobs active longer than twice the average, ' +
      'workers above 90% of their concurrency), and the live workers’ heartbeats. Always 200: `status` says how healthy; ' +
      '`GET /health` is the liveness probe.',
  })
  @ApiSuccess(DetailedHealthResponse, ApiOkResponse)
  detailed(): Promise<DetailedHealthResponse> {
    return this.health.report();
  }
}
