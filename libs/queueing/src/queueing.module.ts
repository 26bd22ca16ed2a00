import { BullModule, BullRootModuleOptions } from '@nestjs/bull';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, AppConfig, loadSettings } from '@conveyor/config';
import { BULL_BACKOFF_STRATEGY, BackoffSpec, JobTypeRegistry, backoffDelay } from '@conveyor/contracts';
import { JOB_TYPE_REGISTRY } from './tokens';
import { JobControl } from './job-control.service';
import { JobProducer } from './job-producer.service';
import { SubmissionCheck } from './submission-check';
import { WaitEstimate } from './wait-estimate';
import { QueueRegistry, registeredQueueNames } from './queue-registry.service';
import { QueueAdmin } from './queue-admin.service';
import { ConsumerRestarts } from './consumer-restarts';
import { FlowCancellation, FlowEnds, FlowFanIn, FlowRetry, FlowStarter } from './flows';
import { RunRestart } from './runs/run-restart';
import { QueueSettings } from './queue-settings.service';
import { QueueStats } from './queue-stats.service';
import { QueueRole, RedisConnections } from './redis-connections';
import { BullProbe } from './bull-probe';
import { RunHooks } from './runs/run-hooks';
import { RunAdmissions } from './runs/run-admission';
import { RunCancellation } from './runs/run-cancellation';
import { RunSettlement } from './runs/run-settlement';
import { BacklogAdmission } from './backlog-admission';
import { WebhookNotifier } from './webhooks/webhook-notifier';
import { MaintenanceQueue } from './maintenance/maintenance-queue';
import { EndNotifications } from './notifications/end-notifications';
import { NOTIFICATION_SETTINGS, notificationSettingsSchema } from './notifications/notification.settings';

const QUEUE_ROLE = Symbol('QUEUE_ROLE');

@Global()
@Module({})
class RedisConnectionsModule implements OnApplicationShutdown {
  constructor(@Inject(RedisConnections) private readonly connections: RedisConnections) {}

  static forRole(role: QueueRole): DynamicModule {
    return {
      module: RedisConnectionsModule,
      providers: [
        { provide: QUEUE_ROLE, useValue: role },
        {
          provide: RedisConnections,
          inject: [APP_CONFIG, QUEUE_ROLE],
          useFactory: (config: AppConfig, r: QueueRole) => new RedisConnections(config.redis.url, r),
        },
      ],
      exports: [RedisConnections],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connections.closeAll();
  }
}

/** Bull settings shared by every queue in both apps. */
export function bullRootOptions(config: AppConfig, connections: RedisConnections): BullRootModuleOptions {
  return {
    prefix: config.redis.prefix,
    createClient: connections.create,
    settings: {
      lockDuration: config.bull.lockDurationMs,
      lockRenewTime: config.bull.lockRenewMs,
      stalledInterval: config.bull.stalledIntervalMs,
      maxStalledCount: config.bull.maxStalledCount,
      backoffStrategies: {
        // An attempt deferred by an open circuit waits for the breaker's probe, whatever the backoff.
        [BULL_BACKOFF_STRATEGY]: (attemptsMade: number, err: Error, spec: BackoffSpec) =>
          err?.name === 'CircuitOpenError' ? (err as Error & { retryAfterMs: number }).retryAfterMs : backoffDelay(spec, attemptsMade),
      },
    },
  };
}

/**
 * Bull wiring for both apps: connections, one queue per queue name in the registry plus the
 * service queues (webhooks, maintenance), the queue registry, the producer, the webhook notifier,
 * the end notifications and the maintenance queue's producer. It
 * registers no consumer: only apps/worker's consumers call process().
 */
@Module({})
export class QueueingModule {
  /** `registry`: the job catalog the app runs (the app passes it in). */
  static forRoot(options: { role: QueueRole; registry: JobTypeRegistry }): DynamicModule {
    const { registry } = options;
    const queues = registeredQueueNames(registry).map((name) => BullModule.registerQueue({ name }));
    return {
      module: QueueingModule,
      global: true,
      imports: [
        DiscoveryModule,
        RedisConnectionsModule.forRole(options.role),
        BullModule.forRootAsync({
          inject: [APP_CONFIG, RedisConnections],
          useFactory: bullRootOptions,
        }),
        ...queues,
      ],
      providers: [
        { provide: JOB_TYPE_REGISTRY, useValue: registry },
        QueueRegistry.provider(registry),
        QueueStats,
        BacklogAdmission,
        SubmissionCheck,
        WaitEstimate,
        JobProducer,
        JobControl,
        QueueSettings,
        QueueAdmin,
        ConsumerRestarts,
        FlowCancellation,
        FlowFanIn,
        FlowStarter,
        FlowRetry,
        WebhookNotifier,
        RunHooks,
        RunAdmissions,
        RunSettlement,
        RunCancellation,
        RunRestart,
        BullProbe,
        MaintenanceQueue,
        {
          provide: NOTIFICATION_SETTINGS,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => loadSettings(notificationSettingsSchema, config),
        },
        EndNotifications,
        FlowEnds,
      ],
      exports: [
        JOB_TYPE_REGISTRY,
        QueueRegistry,
        QueueStats,
        JobProducer,
        JobControl,
        WebhookNotifier,
        QueueSettings,
        QueueAdmin,
        ConsumerRestarts,
        FlowCancellation,
        FlowFanIn,
        FlowStarter,
        FlowRetry,
        RunHooks,
        RunAdmissions,
        RunSettlement,
        RunCancellation,
        RunRestart,
        BullProbe,
        MaintenanceQueue,
        NOTIFICATION_SETTINGS,
        EndNotifications,
        FlowEnds,
      ],
    };
  }
}
