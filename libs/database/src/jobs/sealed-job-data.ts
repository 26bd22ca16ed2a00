import { DataCipher, JobCallback } from '@conveyor/contracts';
import { JobRecord } from './job.schema';

/**
 * A job's callback as MongoDB and Redis keep it: its secret sealed for the job (DataCipher), the
 * URL and events as they are. Sealing twice changes nothing, so a stored callback may pass again.
 */
export function sealedCallback(cipher: DataCipher, callback: JobCallback | null | undefined, jobId: string): JobCallback | undefined {
  if (!callback) return undefined;
  return callback.secret === undefined ? callback : { ...callback, secret: cipher.seal(callback.secret, jobId) };
}

/**
 * A record as its owner or an admin reads it: payload and result opened. The callback secret stays
 * sealed: no read ever shows it, and only the webhook sender opens it.
 */
export function openedRecord(cipher: DataCipher, record: JobRecord): JobRecord {
  return { ...record, data: cipher.open(record.data, record._id), result: cipher.open(record.result, record._id) };
}
