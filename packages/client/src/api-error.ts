/** One field's problem in a validation error. */
export interface ConveyorFieldError {
  field: string;
  message: string;
}

/**
 * An error answer of the API (`{ success: false, error_code, detail, errors? }`), or an answer
 * that was not the envelope at all (a proxy's page): then `code` is `HTTP_<status>`.
 */
export class ConveyorApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: ConveyorFieldError[] = [],
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ConveyorApiError';
  }

  /** From a non-2xx answer whose body has already been read (parsed JSON, text, or nothing). */
  static fromAnswer(status: number, body: unknown, statusText = ''): ConveyorApiError {
    if (isErrorEnvelope(body)) return new ConveyorApiError(status, body.error_code, body.detail, body.errors ?? []);
    const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
    return new ConveyorApiError(status, `HTTP_${status}`, text || statusText || 'the API answered without an error envelope');
  }
}

interface ErrorEnvelope {
  success: false;
  error_code: string;
  detail: string;
  errors?: ConveyorFieldError[];
}

function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  const candidate = body as Partial<ErrorEnvelope> | null;
  return (
    typeof candidate === 'object' && candidate !== null && typeof candidate.error_code === 'string' && typeof candidate.detail === 'string'
  );
}
