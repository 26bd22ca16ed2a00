import { DiscoveryService } from '@nestjs/core';
import { JobContext } from './job-context';

/** Marks a provider as the handler of one job type: `@JobHandler(JobType.HttpRequest)`. */
export const JobHandler = DiscoveryService.createDecorator<string>();

/** The code that runs a job type: one `ctx.step(...)` call per declared step. */
export interface JobHandlerContract<P = unknown, R = unknown> {
  run(ctx: JobContext<P>): Promise<R>;
}
