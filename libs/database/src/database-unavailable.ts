/** Driver errors that mean MongoDB could not be reached, as opposed to a refused operation. */
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/**
 * Whether `error` says the database is unreachable (down, restarting, partitioned): worth a 503
 * and a retry, not a 500. Mongoose's own "buffering timed out" (an operation queued before a
 * connection existed) counts too.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return UNREACHABLE.has(error.name) || /buffering timed out/.test(error.message);
}
