import { ConveyorApiError } from './api-error';

/** What an openapi-fetch call resolves with, for a route whose successes are `{ success, data }`. */
interface EnvelopedResult<E extends { data: unknown }> {
  data?: E;
  error?: unknown;
  response: Response;
}

/** The `data` of a success envelope (of whichever 2xx answered); any other answer becomes a ConveyorApiError. */
export async function unwrap<E extends { data: unknown }>(call: Promise<EnvelopedResult<E>>): Promise<E['data']> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data.data;
  throw ConveyorApiError.fromAnswer(response.status, error ?? data, response.statusText);
}
