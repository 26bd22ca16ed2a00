import { validationFailed } from '@conveyor/contracts';
import { isUUID } from 'class-validator';
import { JobRecord } from '@conveyor/database';

/** Opaque keyset cursor: the creation time and id of the last job on a page. */
export function encodeCursor(record: Pick<JobRecord, 'createdAt' | '_id'>): string {
  return Buffer.from(JSON.stringify([record.createdAt.getTime(), record._id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; jobId: string } {
  try {
    const [ms, jobId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const createdAt = typeof ms === 'number' ? new Date(ms) : undefined;
    if (createdAt && !Number.isNaN(createdAt.getTime()) && typeof jobId === 'string' && isUUID(jobId)) return { createdAt, jobId };
  } catch {
    // fall through to the validation error
  }
  throw validationFailed([{ field: 'cursor', message: 'cursor must be a nextCursor value from a previous page' }]);
}
