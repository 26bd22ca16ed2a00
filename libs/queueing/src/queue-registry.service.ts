import { getQueueToken } from '@nestjs/bull';
import { FactoryProvider } from '@nestjs/common';
import { JobTypeRegistry, QueueName, SERVICE_QUEUES } from '@conveyor/contracts';
import { Queue } from 'bull';

/** Every queue a process registers: the job types' queues and Conveyor's own (SERVICE_QUEUES). */
export function registeredQueueNames(registry: JobTypeRegistry): QueueName[] {
  return [...new Set([...registry.queues(), ...SERVICE_QUEUES])].sort();
}

/** Bull queues by name, so callers never build queue tokens or repeat queue-name literals. */
export class QueueRegistry {
  private readonly queues: Map<string, Queue>;

  constructor(queues: Queue[]) {
    this.queues = new Map(queues.map((q) => [q.name, q]));
  }

  /** A provider that injects every queue the job-type registry needs, and the service queues. */
  static provider(registry: JobTypeRegistry): FactoryProvider<QueueRegistry> {
    return {
      provide: QueueRegistry,
      inject: registeredQueueNames(registry).map((name) => getQueueToken(name)),
      useFactory: (...queues: Queue[]) => new QueueRegistry(queues),
    };
  }

  get(name: QueueName | string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`Queue ${name} is not registered`);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }
}
