import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import mongoose from 'mongoose';
import { JobRecord, JobRecordSchema } from './jobs/job.schema';
import { JobsRepository } from './jobs/jobs.repository';
import { DeadLettersRepository } from './jobs/dead-letters.repository';
import { JobSweepRepository } from './jobs/job-sweep.repository';
import { JobRetentionRepository } from './jobs/job-retention.repository';
import { QueueStatsSnapshot, QueueStatsSnapshotSchema } from './queue-stats/queue-stats-snapshot.schema';
import { QueueStatsSnapshotsRepository } from './queue-stats/queue-stats-snapshots.repository';
import { QueueConfig, QueueConfigSchema } from './queues/queue-config.schema';
import { QueueConfigsRepository } from './queues/queue-configs.repository';
import { Schedule, ScheduleSchema } from './schedules/schedule.schema';
import { SchedulesRepository } from './schedules/schedules.repository';
import { WebhookDeliveriesRepository } from './webhooks/webhook-deliveries.repository';
import { WebhookDeliveryAttempt, WebhookDeliveryAttemptSchema } from './webhooks/webhook-delivery-attempt.schema';
import { DeploymentClaim } from './deployment/deployment-claim';
import { DeploymentStateRepository } from './deployment/deployment-state.repository';
import { FanOut, FanOutSchema } from './flows/fan-out.schema';
import { FanOutsRepository } from './flows/fan-outs.repository';
import { NotificationSettings, NotificationSettingsSchema } from './notifications/notification-settings.schema';
import { NotificationSettingsRepository } from './notifications/notification-settings.repository';

// Client-supplied values can never become query operators, and a filter on an unknown field is an
// error instead of a silently broader query (RELIABILITY §3 and §6).
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', 'throw');

const REPOSITORIES = [
  JobsRepository,
  DeadLettersRepository,
  JobSweepRepository,
  JobRetentionRepository,
  WebhookDeliveriesRepository,
  QueueConfigsRepository,
  SchedulesRepository,
  QueueStatsSnapshotsRepository,
  DeploymentStateRepository,
  FanOutsRepository,
  NotificationSettingsRepository,
];

/**
 * MongoDB connection and the platform's repositories, shared by both apps. A product registers its
 * own schemas and repositories in its data module (MongooseModule.forFeature on this connection).
 */
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        MongooseModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            uri: config.mongo.url,
            serverSelectionTimeoutMS: 5_000,
            retryAttempts: 3,
            retryDelay: 1_000,
          }),
        }),
        MongooseModule.forFeature([
          { name: JobRecord.name, schema: JobRecordSchema },
          { name: WebhookDeliveryAttempt.name, schema: WebhookDeliveryAttemptSchema },
          { name: QueueConfig.name, schema: QueueConfigSchema },
          { name: Schedule.name, schema: ScheduleSchema },
          { name: QueueStatsSnapshot.name, schema: QueueStatsSnapshotSchema },
          { name: FanOut.name, schema: FanOutSchema },
          { name: NotificationSettings.name, schema: NotificationSettingsSchema },
        ]),
      ],
      // DeploymentClaim refuses to start on a database another BULL_PREFIX has claimed.
      providers: [DeploymentClaim, ...REPOSITORIES],
      exports: [...REPOSITORIES, MongooseModule],
    };
  }
}
