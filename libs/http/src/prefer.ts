/** Longest `Prefer: wait=N` honoured, in seconds. */
export const MAX_PREFER_WAIT_SECONDS = 30;

/**
 * The `wait` preference of a `Prefer` header (RFC 7240), capped at 30 s; undefined when absent or
 * unusable (a preference a server cannot honour is ignored, never an error).
 */
export function preferredWaitSeconds(header: string | string[] | undefined): number | undefined {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const preference of values.flatMap((v) => v.split(/[,;]/))) {
    const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*$/i.exec(preference);
    if (match) return Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS);
  }
  return undefined;
}
