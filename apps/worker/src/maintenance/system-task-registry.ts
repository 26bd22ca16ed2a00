import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';
import { SYSTEM_TASK_CLASSES } from './system-tasks';

/** System tasks by schedule name: the platform's and the products', found through @SystemTaskProvider. */
@Injectable()
export class SystemTaskRegistry implements OnModuleInit {
  private byName: ReadonlyMap<string, SystemTask> = new Map();

  constructor(@Optional() private readonly discovery?: DiscoveryService) {}

  /** A registry of exactly these tasks (no discovery). */
  static of(tasks: SystemTask[]): SystemTaskRegistry {
    const registry = new SystemTaskRegistry();
    registry.byName = indexByName(tasks);
    return registry;
  }

  onModuleInit(): void {
    if (!this.discovery) return;
    const tasks = this.discovery
      .getProviders({ metadataKey: SystemTaskProvider.KEY })
      .flatMap((wrapper) => (wrapper.instance ? [wrapper.instance as SystemTask] : []));
    // A platform task listed without its decorator would silently never run: refuse to start.
    const missing = SYSTEM_TASK_CLASSES.filter((task) => !tasks.some((found) => found instanceof task));
    if (missing.length > 0) {
      throw new Error(`Worker cannot start: ${missing.map((t) => t.name).join(', ')} lack @SystemTaskProvider()`);
    }
    this.byName = indexByName(tasks);
  }

  get(name: string): SystemTask | undefined {
    return this.byName.get(name);
  }

  all(): SystemTask[] {
    return [...this.byName.values()];
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
