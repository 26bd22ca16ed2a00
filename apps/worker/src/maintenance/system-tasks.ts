import { Type } from '@nestjs/common';
import { SystemTask } from '@conveyor/job-runtime';
import { BackupDataTask } from './tasks/backup-data.task';
import { CleanupExpiredJobsTask } from './tasks/cleanup-expired-jobs.task';
import { FlowFanInTask } from './tasks/flow-fan-in.task';
import { HealthCheckServicesTask } from './tasks/health-check-services.task';
import { ReconcileTask } from './tasks/reconcile.task';
import { UpdateQueueStatsTask } from './tasks/update-queue-stats.task';

/**
 * The platform's system tasks, each a system schedule. To add one: write `tasks/<name>.task.ts`
 * (an @Injectable() @SystemTaskProvider() class implementing SystemTask, with its schedule's name,
 * cron and description) and add its class here; a product lists its own in its worker module.
 * Workers seed each schedule at start; the API lists and triggers it.
 */
export const SYSTEM_TASK_CLASSES: ReadonlyArray<Type<SystemTask>> = [
  CleanupExpiredJobsTask,
  UpdateQueueStatsTask,
  ReconcileTask,
  HealthCheckServicesTask,
  FlowFanInTask,
  BackupDataTask,
];
