import { plainToInstance } from 'class-transformer';
import { ValidationError, validate } from 'class-validator';
import { ConveyorError, FieldError } from './conveyor-error';
import { ErrorCode } from './error-code';
import { PayloadClass } from './job-type-definition';

/** Options shared by the API's global pipe and payload validation: unknown fields are errors. */
export const STRICT_VALIDATION = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** class-validator's error tree as a flat list of `field: message` pairs. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: message.replace(error.property, field) }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationFailed(fields: FieldError[]): ConveyorError {
  const detail = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new ConveyorError(ErrorCode.ValidationFailed, `Validation failed: ${detail}`, { fields });
}

/** Validates a job payload against its type's DTO class; returns the typed, whitelisted instance. */
export async function validatePayload<P extends object>(payloadClass: PayloadClass<P>, data: unknown, field = 'data'): Promise<P> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw validationFailed([{ field, message: `${field} must be a JSON object` }]);
  }
  const instance = plainToInstance(payloadClass, data);
  const errors = await validate(instance, STRICT_VALIDATION);
  if (errors.length > 0) throw validationFailed(flattenValidationErrors(errors, field));
  return instance;
}
