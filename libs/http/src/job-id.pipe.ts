import { ArgumentMetadata, ParseUUIDPipe } from '@nestjs/common';
import { validationFailed } from '@conveyor/contracts';

/**
 * Validates a job id route parameter (every job id is a UUID); shared by the jobs controllers and
 * the products' routes.
 * UUIDs are case-insensitive and Conveyor issues them in lower case, so an id in any case is
 * read as the one stored.
 */
class JobIdPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return (await super.transform(value, metadata)).toLowerCase();
  }
}

/** The pipe for a parameter named `field` (its name in the 400). */
export function jobIdPipeFor(field: string): JobIdPipe {
  return new JobIdPipe({ exceptionFactory: () => validationFailed([{ field, message: `${field} must be a UUID` }]) });
}

/** `:jobId`. */
export const jobIdPipe = jobIdPipeFor('jobId');
