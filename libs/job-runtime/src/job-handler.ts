import { DiscoveryService } from '@nestjs/core';
import { JobTypeDefinition } from '@conveyor/contracts';
import { JobContext } from './job-context';

/**
 * Marks a provider as a job handler: `@JobHandler()` on a class implementing JobHandlerContract.
 * The worker finds every one at boot and files it under its `definition.type`.
 */
export const JobHandler = DiscoveryService.createDecorator<void>();

/**
 * The code that runs a job type: one `ctx.step(...)` call per declared step. It declares the
 * definition it serves, so the definition's payload type is the one `run()` receives.
 */
export interface JobHandlerContract<P extends object = object, R = unknown> {
  readonly definition: JobTypeDefinition<P>;
  run(ctx: JobContext<P>): Promise<R>;
}
