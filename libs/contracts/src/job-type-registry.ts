import { JobStatus } from './job-status';
import { JobTypeDefinition } from './job-type-definition';
import { statusWord } from './status-vocabulary';
import { ProductContracts } from './product-contracts';
import { QueueName } from './queue-name';
import { QueuePolicy } from './queue-policy';

/**
 * Job types by name and queue policies by queue: the catalog both apps and Swagger read. The
 * submit path never switches on a type; no platform code knows which products filled it.
 */
export class JobTypeRegistry {
  private readonly byType = new Map<string, JobTypeDefinition>();
  private readonly policies = new Map<QueueName, QueuePolicy>();

  constructor(definitions: readonly JobTypeDefinition<any>[], policies: readonly QueuePolicy[]) {
    for (const policy of policies) {
      if (this.policies.has(policy.name)) throw new Error(`Queue ${policy.name} has two policies`);
      this.policies.set(policy.name, policy);
    }
    const defaults = policies.filter((p) => p.defaultForQueueRoutes).map((p) => p.name);
    if (defaults.length > 1) throw new Error(`Only one queue may be the queue routes' default; ${defaults.join(' and ')} both are`);
    for (const definition of definitions) {
      if (this.byType.has(definition.type)) throw new Error(`Job type ${definition.type} is registered twice`);
      if (!this.policies.has(definition.queue))
        throw new Error(`Job type ${definition.type} runs on queue ${definition.queue}, which has no policy`);
      this.byType.set(definition.type, definition);
    }
  }

  /** The catalog of the platform and the given products. */
  static compose(...parts: ProductContracts[]): JobTypeRegistry {
    return new JobTypeRegistry(
      parts.flatMap((p) => p.jobTypes),
      parts.flatMap((p) => p.queues),
    );
  }

  get(type: string): JobTypeDefinition | undefined {
    return this.byType.get(type);
  }

  /** The word a job of `type` shows for `status` (its StatusVocabulary, else Conveyor's word). */
  statusWord(type: string, status: JobStatus): string {
    return statusWord(status, this.byType.get(type)?.statusVocabulary);
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

  /** A queue's default policy (before operator overrides); every registered queue has one. */
  policy(name: QueueName): QueuePolicy {
    const policy = this.policies.get(name);
    if (!policy) throw new Error(`Queue ${name} has no policy`);
    return policy;
  }

  /** The queue `/api/v1/queue/*` acts on without `?queue=`: the job queue a policy names, else the first job queue. */
  defaultQueue(): QueueName | undefined {
    const queues = this.queues();
    return queues.find((name) => this.policy(name).defaultForQueueRoutes) ?? queues[0];
  }

  /** A registry with extra types, e.g. the benchmark's no-op type. */
  with(...definitions: JobTypeDefinition<any>[]): JobTypeRegistry {
    return new JobTypeRegistry([...this.all(), ...definitions], [...this.policies.values()]);
  }
}
