/** An error's message for a log line or a recorded result; anything thrown that is not an Error, as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error as a log line's structured field: what it was, its message and code, where it came from, and its cause. */
export interface LoggedError {
  type: string;
  message: string;
  code?: string | number;
  stack?: string;
  cause?: LoggedError;
}

/** How deep a chain of causes is followed. */
const MAX_CAUSES = 3;

/**
 * The `err` field of a log line (`logger.warn(errorField(error), 'what failed')`): an error's name,
 * message, code, stack and cause, and nothing else it carries. Libraries hang request options
 * (headers, credentials) on their errors; a generic serializer would print them. A plain object with
 * a string `message` (a refusal's `{ code, message }`) keeps those two.
 */
export function errorField(error: unknown): { err: LoggedError } {
  return { err: loggedError(error, MAX_CAUSES) };
}

function loggedError(error: unknown, causesLeft: number): LoggedError {
  const { code, message, cause } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  const codeField = typeof code === 'string' || typeof code === 'number' ? { code } : {};
  if (!(error instanceof Error)) {
    if (typeof message === 'string') return { type: 'object', message, ...codeField };
    return { type: typeof error, message: String(error) };
  }
  return {
    type: error.name,
    message: error.message,
    ...codeField,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(cause !== undefined && causesLeft > 0 ? { cause: loggedError(cause, causesLeft - 1) } : {}),
  };
}
