import { ParseUUIDPipe } from '@nestjs/common';
import { validationFailed } from '@conveyor/contracts';

/** Validates a `:jobId` route parameter (every job id is a UUID); shared by the jobs controllers. */
export const jobIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => validationFailed([{ field: 'jobId', message: 'jobId must be a UUID' }]),
});
