import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulesRepository } from '@conveyor/database';
import { SystemTaskRegistry } from './system-task-registry';
import { errorField } from '@conveyor/contracts';

/** While MongoDB cannot be written at start, seeding is tried again this often. */
const RETRY_MS = 30_000;

/**
 * Seeds every system task's schedule into `schedules` when the worker starts (an upsert per task,
 * so several workers starting at once leave one document each and keep its run history). A
 * changed cron or description in code replaces the stored one.
 */
@Injectable()
export class SystemSchedulesSeeder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SystemSchedulesSeeder.name);
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly tasks: SystemTaskRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.seed();
  }

  onModuleDestroy(): void {
    clearTimeout(this.retry);
  }

  /** True once every system schedule is stored. */
  async seed(): Promise<boolean> {
    try {
      await Promise.all(this.tasks.all().map((task) => this.schedules.seedSystem(task.schedule)));
      return true;
    } catch (error) {
      // The worker still runs jobs; the system schedules appear once MongoDB takes the writes.
      this.logger.warn(errorField(error), `System schedules not seeded, retrying in ${RETRY_MS} ms`);
      this.retry = setTimeout(() => void this.seed(), RETRY_MS);
      this.retry.unref();
      return false;
    }
  }
}
