import { Module } from '@nestjs/common';
import { QueueMetricsModule } from '@conveyor/queueing';
import { RecoveryModule } from '../recovery/recovery.module';
import { MaintenanceProcessor } from './maintenance.processor';
import { SYSTEM_TASKS, SystemTask } from '@conveyor/job-runtime';
import { SYSTEM_TASK_CLASSES } from './system-tasks';
import { SystemSchedulesSeeder } from './system-schedules.seeder';

/** System tasks (system-tasks.ts), the `maintenance` queue's processor, and the seeding of their schedules. */
@Module({
  imports: [RecoveryModule, QueueMetricsModule],
  providers: [
    ...SYSTEM_TASK_CLASSES,
    { provide: SYSTEM_TASKS, useFactory: (...tasks: SystemTask[]) => tasks, inject: [...SYSTEM_TASK_CLASSES] },
    MaintenanceProcessor,
    SystemSchedulesSeeder,
  ],
  exports: [MaintenanceProcessor],
})
export class MaintenanceModule {}
