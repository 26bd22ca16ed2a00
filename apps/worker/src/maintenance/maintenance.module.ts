import { Module } from '@nestjs/common';
import { QueueMetricsModule } from '@conveyor/queueing';
import { RecoveryModule } from '../recovery/recovery.module';
import { MaintenanceProcessor } from './maintenance.processor';
import { DiscoveryModule } from '@nestjs/core';
import { SYSTEM_TASK_CLASSES } from './system-tasks';
import { SystemSchedulesSeeder } from './system-schedules.seeder';
import { SystemTaskRegistry } from './system-task-registry';

/**
 * The platform's system tasks (system-tasks.ts), the registry that also finds the products' tasks,
 * the `maintenance` queue's processor, and the seeding of their schedules.
 */
@Module({
  imports: [DiscoveryModule, RecoveryModule, QueueMetricsModule],
  providers: [...SYSTEM_TASK_CLASSES, SystemTaskRegistry, MaintenanceProcessor, SystemSchedulesSeeder],
  exports: [MaintenanceProcessor],
})
export class MaintenanceModule {}
