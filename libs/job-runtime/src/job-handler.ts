import type { FailureOutcome } from './attempt-outcome';
import { DiscoveryService } from '@nestjs/core';
import { JobContext } from './job-context';

/** Marks a provider as the handler of one job type: `@JobHandler(JobType.HttpRequest)`. */
export const JobHandler = DiscoveryService.createDecorator<string>();

/** A failed attempt as the processor recorded it: retried later, failed for good, or cancelled. */
export interface AttemptFailure<P = unknown> {
  jobId: string;
  payload: P;
  attempt: number;
  outcome: FailureOutcome;
  error: unknown;
}

/** The code that runs a job type: one `ctx.step(...)` call per declared step. */
export interface JobHandlerContract<P = unknown, R = unknown> {
  run(ctx: JobContext<P>): Promise<R>;
  /**
   * Called after a failed attempt's outcome is recorded, for a handler that keeps state of its own
   * (a product's entity). Its errors are logged; they never change the job's outcome.
   */
  onFailure?(failure: AttemptFailure<P>): Promise<void>;
}
