import { randomUUID } from 'node:crypto';

/** Sent back on every response; honoured on requests (from a gateway or a client) when well-formed. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** UUIDs, ULIDs, trace ids and the like: 8–128 characters of A-Z a-z 0-9 . _ : - */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The request id to use: the incoming `x-request-id` when it is one well-formed value (so a
 * gateway's id follows the request through our logs), else a new UUID. Anything else a client sends
 * is ignored rather than echoed into logs and headers.
 */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && WELL_FORMED.test(header) ? header : randomUUID();
}
