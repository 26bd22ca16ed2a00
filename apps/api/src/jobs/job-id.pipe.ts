import { ArgumentMetadata, ParseUUIDPipe } from '@nestjs/common';
import { validationFailed } from '@conveyor/contracts';

/**
 * Validates a `:jobId` route parameter (every job id is a UUID); shared by the jobs controllers.
 * UUIDs are case-insensitive and Conveyor issues them in lower case, so an id in any case is
 * read as the one stored.
 */
class JobIdPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return (await super.transform(value, metadata)).toLowerCase();
  }
}

export const jobIdPipe = new JobIdPipe({
  exceptionFactory: () => validationFailed([{ field: 'jobId', message: 'jobId must be a UUID' }]),
});
