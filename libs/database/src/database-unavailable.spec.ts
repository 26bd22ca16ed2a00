import { mongo } from 'mongoose';
import { isDatabaseUnavailable } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  const bulkResult = {} as ConstructorParameters<typeof mongo.MongoBulkWriteError>[1];

  it('knows the driver errors of an unreachable server', () => {
    expect(isDatabaseUnavailable(new mongo.MongoNetworkError('connect ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Operation `jobs.insertOne()` buffering timed out after 10000ms'))).toBe(true);
  });

  it('sees a connection failure the bulk API re-threw as a bulk write error', () => {
    const wrapped = new mongo.MongoBulkWriteError(new mongo.MongoNetworkError('connect ECONNREFUSED'), bulkResult);
    expect(wrapped.name).toBe('MongoBulkWriteError');
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    const closed = new mongo.MongoBulkWriteError(new mongo.MongoTopologyClosedError(), bulkResult);
    expect(isDatabaseUnavailable(closed)).toBe(true);
    // The server SIGKILLed mid-write (found by the nemesis soak): a 500 until this was known.
    const cut = new mongo.MongoBulkWriteError({ message: 'This socket has been ended by the other party' } as never, bulkResult);
    expect(isDatabaseUnavailable(cut)).toBe(true);
  });

  it('does not take a refused document or another error for an outage', () => {
    const refused = new mongo.MongoBulkWriteError(
      { message: 'E11000 duplicate key', code: 11000, writeErrors: [{ index: 0, code: 11000 } as never] },
      bulkResult,
    );
    expect(isDatabaseUnavailable(refused)).toBe(false);
    expect(isDatabaseUnavailable(new Error('Cast to string failed'))).toBe(false);
    expect(isDatabaseUnavailable('down')).toBe(false);
  });
});
