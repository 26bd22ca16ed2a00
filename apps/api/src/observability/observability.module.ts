import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { QueueMetricsModule } from '@conveyor/queueing';
import { LoggerModule } from 'nestjs-pino';
import { ThrottlingModule } from '@conveyor/http';
import { apiLoggerParams } from './api-logging';
import { ApiMetrics } from './api-metrics';
import { HttpObservability } from './http-observability';
import { MetricsController } from './metrics.controller';
import { QueueDashboard } from './queue-dashboard';

/**
 * Operations' view of the API: JSON request logs with request ids (nestjs-pino), Prometheus
 * metrics at /metrics, and the admin-only queue dashboard at /admin/queues. `createApiApp` installs
 * HttpObservability's middleware first and hands Nest's logging to nestjs-pino.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => apiLoggerParams(config) }),
    QueueMetricsModule,
    ThrottlingModule,
  ],
  controllers: [MetricsController],
  providers: [ApiMetrics, HttpObservability, QueueDashboard],
})
export class ObservabilityModule {}
