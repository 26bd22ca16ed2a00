import { ErrorCode } from './error-code';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `data.url` or `options.priority`. */
  field: string;
  message: string;
}

/**
 * An error meant for the client, carrying its `error_code`. The API's exception filter maps the
 * code to an HTTP status; anything that is not a ConveyorError is reported as a 500.
 */
export class ConveyorError extends Error {
  override readonly name = 'ConveyorError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extras: {
      fields?: FieldError[];
      retryAfterSeconds?: number;
      troubleshooting?: string;
      details?: unknown;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: extras.cause });
  }
}
