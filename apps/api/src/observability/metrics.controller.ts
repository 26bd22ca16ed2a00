import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, ErrorCode, metricsRequestAllowed } from '@conveyor/contracts';
import type { Request, Response } from 'express';
import { ApiErrorResponses } from '@conveyor/http';
import { ThrottleAs } from '@conveyor/http';
import { ApiMetrics } from './api-metrics';

@ApiTags('observability')
// Scraped by Prometheus every few seconds: never throttled.
@ThrottleAs('none')
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ApiMetrics,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics of this API instance',
    description:
      'Text exposition format: HTTP requests by method, route and status; queue depth by state; live workers; process metrics. ' +
      'Open unless METRICS_TOKEN is set (then `Authorization: Bearer <METRICS_TOKEN>`); serve it to your Prometheus only, ' +
      'not to the internet. Job outcomes and processing times are on each worker’s WORKER_METRICS_PORT.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format', schema: { type: 'string' } })
  @ApiErrorResponses(ErrorCode.Unauthenticated)
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!metricsRequestAllowed(req.headers.authorization, this.config.metrics.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new ConveyorError(ErrorCode.Unauthenticated, 'Send Authorization: Bearer <METRICS_TOKEN>');
    }
    // Written raw (@Res): Prometheus wants its text format, not the JSON success envelope.
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
