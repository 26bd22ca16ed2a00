import { validationFailed } from '@conveyor/contracts';
import { JobRecord } from '@conveyor/database';
import { isUUID } from 'class-validator';

/** Opaque keyset cursor of the dead-letter list: when the last dead letter on a page failed, and its id. */
export function encodeDeadLetterCursor(record: Pick<JobRecord, 'updatedAt' | '_id'>): string {
  return Buffer.from(JSON.stringify([record.updatedAt.getTime(), record._id])).toString('base64url');
}

export function decodeDeadLetterCursor(cursor: string): { updatedAt: Date; jobId: string } {
  try {
    const [ms, jobId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const updatedAt = typeof ms === 'number' ? new Date(ms) : undefined;
    if (updatedAt && !Number.isNaN(updatedAt.getTime()) && typeof jobId === 'string' && isUUID(jobId)) return { updatedAt, jobId };
  } catch {
    // fall through to the validation error
  }
  throw validationFailed([{ field: 'cursor', message: 'cursor must be a nextCursor value from a previous page' }]);
}
