import { JobTypeDefinition } from './job-type-definition';
import { QueueName } from './queue-name';
import { BUILT_IN_JOB_TYPES } from './job-types';

/** Job types by name. Both apps and Swagger read it; the submit path never switches on a type. */
export class JobTypeRegistry {
  private readonly byType = new Map<string, JobTypeDefinition>();

  constructor(definitions: readonly JobTypeDefinition<any>[]) {
    for (const definition of definitions) {
      if (this.byType.has(definition.type)) throw new Error(`Job type ${definition.type} is registered twice`);
      this.byType.set(definition.type, definition);
    }
  }

  get(type: string): JobTypeDefinition | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  all(): JobTypeDefinition[] {
    return [...this.byType.values()];
  }

  /** Types clients may submit through the job API (not those a product starts itself). */
  clientSubmittable(): JobTypeDefinition[] {
    return this.all().filter((d) => !d.startedBy);
  }

  /** Queues that have at least one job type, in a stable order. */
  queues(): QueueName[] {
    return [...new Set(this.all().map((d) => d.queue))].sort();
  }

  /** A registry with extra types, e.g. the benchmark's no-op type. */
  with(...definitions: JobTypeDefinition<any>[]): JobTypeRegistry {
    return new JobTypeRegistry([...this.all(), ...definitions]);
  }
}

export const defaultJobTypeRegistry = new JobTypeRegistry(BUILT_IN_JOB_TYPES);
