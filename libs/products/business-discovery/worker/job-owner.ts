import { ownerKey } from '@conveyor/contracts';
import { JobContext, PermanentJobError } from '@conveyor/job-runtime';

/** The owner key a job's data is kept under; every stage reads and writes within it. */
export function ownerKeyOf(ctx: JobContext<unknown>): string {
  if (!ctx.owner) throw new PermanentJobError('The job does not say who submitted it; submit it again');
  return ownerKey(ctx.owner);
}
