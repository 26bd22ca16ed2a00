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
  return UNREACHABLE.has(error.name) || /buffering timed out/.test(error.message) || isUnreachableInBulk(error);
}

/**
 * The driver's bulk API (insertMany, bulkWrite) re-throws a connection failure as a
 * MongoBulkWriteError with no per-document errors, copying the original's fields and message but
 * not its class: a network error's `beforeHandshake`, a server selection error's `reason`, and
 * the messages of a client not (or no longer) connected or of a connection cut mid-write.
 */
function isUnreachableInBulk(error: Error): boolean {
  if (error.name !== 'MongoBulkWriteError') return false;
  const bulk = error as Error & { writeErrors?: unknown[]; err?: unknown };
  const noDocumentRefused = (bulk.writeErrors?.length ?? 0) === 0 && bulk.err === undefined;
  return noDocumentRefused && ('beforeHandshake' in bulk || 'reason' in bulk || NOT_CONNECTED.test(bulk.message));
}

/** A client not (or no longer) connected, or a connection cut mid-write (the soak's SIGKILLed server). */
const NOT_CONNECTED = /must be connected|Topology is closed|socket has been ended|connection \S+ to \S+ closed|ECONNRESET|EPIPE/;
