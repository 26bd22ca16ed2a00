import { DiscoveryService } from '@nestjs/core';
import { MaintenanceJobData, SystemScheduleDefinition } from '@conveyor/contracts';

/**
 * One system task: what a system schedule runs. Its `schedule` is seeded into `schedules` when a
 * worker starts; `run` executes one run (a maintenance Bull job named after the schedule). A
 * thrown error fails the attempt and Bull retries it; the returned summary is the job's result.
 */
export interface SystemTask {
  readonly schedule: SystemScheduleDefinition;
  run(data: MaintenanceJobData): Promise<object>;
}

/**
 * Marks a provider as a system task, in the platform's maintenance module or a product's worker
 * module: `@SystemTaskProvider()`. The worker finds every one at boot.
 */
export const SystemTaskProvider = DiscoveryService.createDecorator<void>();
