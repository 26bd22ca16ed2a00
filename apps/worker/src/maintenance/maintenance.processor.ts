import { Injectable, Logger } from '@nestjs/common';
import { MaintenanceJobData } from '@conveyor/contracts';
import { Job } from 'bull';
import { PermanentJobError } from '@conveyor/job-runtime';
import { SystemTaskRegistry } from './system-task-registry';

/**
 * Runs the `maintenance` queue's jobs: each is one run of the system task its name names. Errors
 * are rethrown so Bull retries with the queue policy's backoff; a job naming no task (a schedule
 * left from an older version) is discarded and failed at once.
 */
@Injectable()
export class MaintenanceProcessor {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(private readonly tasks: SystemTaskRegistry) {}

  async process(job: Job<MaintenanceJobData>): Promise<object> {
    const task = this.tasks.get(job.name);
    if (!task) {
      await job.discard();
      throw new PermanentJobError(`No system task named "${job.name}" in this worker`);
    }
    const result = await task.run(job.data);
    this.logger.log(`System task ${job.name} (${job.data.trigger ?? 'scheduled'}) done: ${JSON.stringify(result)}`);
    return result;
  }
}
