import { validationFailed } from '@conveyor/contracts';
import { isUUID } from 'class-validator';

/** Where a newest-first page ended: the time its list is sorted by, and the job id that breaks ties. */
export interface KeysetPosition {
  at: Date;
  jobId: string;
}

/** Opaque cursor of a newest-first job list (job lists, dead letters). */
export function encodeKeysetCursor({ at, jobId }: KeysetPosition): string {
  return Buffer.from(JSON.stringify([at.getTime(), jobId])).toString('base64url');
}

/** The position a cursor names; a cursor this service did not issue is 400 on `cursor`. */
export function decodeKeysetCursor(cursor: string): KeysetPosition {
  try {
    const [ms, jobId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const at = typeof ms === 'number' ? new Date(ms) : undefined;
    if (at && !Number.isNaN(at.getTime()) && typeof jobId === 'string' && isUUID(jobId)) return { at, jobId };
  } catch {
    // fall through to the validation error
  }
  throw validationFailed([{ field: 'cursor', message: 'cursor must be a nextCursor value from a previous page' }]);
}
