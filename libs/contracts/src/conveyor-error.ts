import { ErrorCode, ProductErrorCode } from './error-code';

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
  /** The `error_code`: a platform ErrorCode, or a product's own. */
  readonly code: ErrorCode | string;
  /** The HTTP status of a product's code; a platform code's status is the API's table. */
  readonly status?: number;

  constructor(
    code: ErrorCode | ProductErrorCode,
    message: string,
    readonly extras: {
      fields?: FieldError[];
      retryAfterSeconds?: number;
      troubleshooting?: string;
      details?: unknown;
      /** Fields beside the envelope's, for a document that defines its own top level (seed 004's `/health`). */
      topLevel?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: extras.cause });
    if (typeof code === 'string') {
      this.code = code;
    } else {
      this.code = code.code;
      this.status = code.status;
    }
  }
}
