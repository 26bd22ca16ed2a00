import { Inject, Injectable, Logger } from '@nestjs/common';
import { MaintenanceJobData } from '@conveyor/contracts';
import { Job } from 'bull';
import { PermanentJobError } from '@conveyor/job-runtime';
import { SYSTEM_TASKS, SystemTask } from '@conveyor/job-runtime';

/**
 * Runs the `maintenance` queue's jobs: each is one run of the system task its name names. Errors
 * are rethrown so Bull retries with the queue policy's backoff; a job naming no task (a schedule
 * left from an older version) is discarded and failed at once.
 */
@Injectable()
export class MaintenanceProcessor {
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private readonly tasks: ReadonlyMap<string, SystemTask>;

  constructor(@Inject(SYSTEM_TASKS) tasks: SystemTask[]) {
    this.tasks = indexByName(tasks);
  }

  /** The tasks, by schedule name. */
  all(): SystemTask[] {
    return [...this.tasks.values()];
  }

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

/** Refuses to start with two tasks of one name, as the job handlers' boot check does. */
export function indexByName(tasks: SystemTask[]): Map<string, SystemTask> {
  const byName = new Map<string, SystemTask>();
  for (const task of tasks) {
    if (byName.has(task.schedule.name)) throw new Error(`Two system tasks are named "${task.schedule.name}"`);
    byName.set(task.schedule.name, task);
  }
  return byName;
}
