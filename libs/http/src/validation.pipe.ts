import { ValidationPipe } from '@nestjs/common';
import { STRICT_VALIDATION, flattenValidationErrors, validationFailed } from '@conveyor/contracts';

/** The global pipe: DTOs are whitelisted, unknown fields are errors, failures list every field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...STRICT_VALIDATION,
    transform: true,
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}
