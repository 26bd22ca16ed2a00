import { Type, applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, ApiResponseOptions, getSchemaPath } from '@nestjs/swagger';
import { ErrorCode, ProductErrorCode } from '@conveyor/contracts';
import { ERROR_STATUS } from './error-status';

export class FieldErrorDto {
  @ApiProperty({ example: 'data.url' })
  field!: string;

  @ApiProperty({ example: 'data.url must be a string' })
  message!: string;
}

/** Swagger's picture of the error envelope (DESIGN §4). */
export class ErrorEnvelopeDto {
  @ApiProperty({ enum: [false] })
  success!: false;

  @ApiProperty({ example: 'Validation failed: data.url: data.url must be a string' })
  detail!: string;

  @ApiProperty({ enum: ErrorCode })
  error_code!: ErrorCode;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;

  @ApiPropertyOptional()
  troubleshooting?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field problems, for validation errors' })
  errors?: FieldErrorDto[];
}

type ResponseDecorator = (options: ApiResponseOptions) => MethodDecorator & ClassDecorator;

/** Documents a `{ success: true, data: <model> }` response. */
export function ApiSuccess(model: Type<unknown>, response: ResponseDecorator) {
  return successEnvelope(model, response, { $ref: getSchemaPath(model) });
}

/** Documents a `{ success: true, data: [<model>, …] }` response. */
export function ApiSuccessList(model: Type<unknown>, response: ResponseDecorator) {
  return successEnvelope(model, response, { type: 'array', items: { $ref: getSchemaPath(model) } });
}

/** Documents a `{ success: true, data }` response whose data is one of several models. */
export function ApiSuccessOneOf(models: Array<Type<unknown>>, response: ResponseDecorator) {
  return applyDecorators(
    ApiExtraModels(...models),
    successEnvelope(models[0], response, { oneOf: models.map((model) => ({ $ref: getSchemaPath(model) })) }),
  );
}

function successEnvelope(model: Type<unknown>, response: ResponseDecorator, data: object) {
  return applyDecorators(
    ApiExtraModels(model),
    response({
      schema: {
        type: 'object',
        required: ['success', 'data'],
        // `message`: a route's human-readable note next to its data (WithMessage).
        properties: { success: { type: 'boolean', enum: [true] }, data, message: { type: 'string' } },
      },
    }),
  );
}

/** Documents the error envelope for each status the given codes map to. */
export function ApiErrorResponses(...codes: Array<ErrorCode | ProductErrorCode>) {
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const [name, status] = typeof code === 'string' ? [code, ERROR_STATUS[code]] : [code.code, code.status];
    byStatus.set(status, [...(byStatus.get(status) ?? []), name]);
  }
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        description: list.join(', '),
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(ErrorEnvelopeDto) },
            // One example per code this status carries, with that code: a client sees what it will get.
            examples: Object.fromEntries(list.map((code) => [code, { summary: code, value: errorExample(code) }])),
          },
        },
      }),
    ),
  );
}

/** What an error envelope with `code` looks like (the detail is only an illustration). */
function errorExample(code: string): object {
  return {
    success: false,
    detail: `${code.charAt(0)}${code.slice(1).toLowerCase().replace(/_/g, ' ')}: what went wrong, in words`,
    error_code: code,
    timestamp: '2026-01-01T00:00:00.000Z',
    ...(code === ErrorCode.ValidationFailed ? { errors: [{ field: 'data.url', message: 'data.url must be a string' }] } : {}),
  };
}
