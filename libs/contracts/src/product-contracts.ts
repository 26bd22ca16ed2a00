import { JobTypeDefinition } from './job-type-definition';
import { QueuePolicy } from './queue-policy';

/**
 * What the platform or a product adds to the job catalog: its job types and the policies of the
 * queues they run on. The catalog (libs/products) composes one per product.
 */
export interface ProductContracts {
  readonly name: string;
  readonly jobTypes: readonly JobTypeDefinition<any>[];
  readonly queues: readonly QueuePolicy[];
}
