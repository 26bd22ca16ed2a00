import { validationFailed } from '@conveyor/contracts';
import { JobRecord } from '@conveyor/database';

/** Opaque keyset cursor: the creation time and id of the last job on a page. */
export function encodeCursor(record: Pick<JobRecord, 'createdAt' | '_id'>): string {
  return Buffer.from(JSON.stringify([record.createdAt.getTime(), record._id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; jobId: string } {
  try {
    const [ms, jobId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof ms === 'number' && Number.isFinite(ms) && typeof jobId === 'string') return { createdAt: new Date(ms), jobId };
  } catch {
    // fall through to the validation error
  }
  throw validationFailed([{ field: 'cursor', message: 'cursor must be a nextCursor value from a previous page' }]);
}
