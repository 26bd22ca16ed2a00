/** An error's message for a log line or a recorded result; anything thrown that is not an Error, as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error as a log line's structured field: what it was, its message and code, and where it came from. */
export interface LoggedError {
  type: string;
  message: string;
  code?: string | number;
  stack?: string;
}

/**
 * The `err` field of a log line (`logger.warn(errorField(error), 'what failed')`): an error's name,
 * message, code and stack, and nothing else it carries. Libraries hang request options (headers,
 * credentials) on their errors; a generic serializer would print them.
 */
export function errorField(error: unknown): { err: LoggedError } {
  if (!(error instanceof Error)) return { err: { type: typeof error, message: String(error) } };
  const code = (error as { code?: unknown }).code;
  return {
    err: {
      type: error.name,
      message: error.message,
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    },
  };
}
