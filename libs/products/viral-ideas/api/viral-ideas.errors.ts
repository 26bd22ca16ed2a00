import { ConveyorError, productErrorCode } from '@conveyor/contracts';
import { STARTABLE_VIRAL_STATUSES } from '../contracts';

/** Seed 000's error codes, in its words. */
export const ViralErrorCode = {
  InvalidUuidFormat: productErrorCode('INVALID_UUID_FORMAT', 400),
  /** The seed's word for "no such queue entry". */
  QueueEntryNotFound: productErrorCode('QUEUE_NOT_FOUND', 404),
  InvalidQueueState: productErrorCode('INVALID_QUEUE_STATE', 409),
  SessionExists: productErrorCode('SESSION_EXISTS', 409),
  IpNotAllowed: productErrorCode('IP_NOT_ALLOWED', 403),
} as const;

/** Seed 000's errors, with its troubleshooting texts. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkQueueId(queueId: string): string {
  if (!UUID.test(queueId)) {
    throw new ConveyorError(ViralErrorCode.InvalidUuidFormat, 'queue_id must be a valid UUID', {
      troubleshooting: 'Ensure queue_id is a properly formatted UUID (e.g., 12345678-1234-1234-1234-123456789012)',
    });
  }
  return queueId.toLowerCase();
}

export function queueEntryNotFound(): ConveyorError {
  return new ConveyorError(ViralErrorCode.QueueEntryNotFound, 'Queue entry not found', {
    troubleshooting: 'Verify the queue_id exists in the viral_ideas_queue table and was properly created',
  });
}

export function invalidQueueState(status: string): ConveyorError {
  const valid = STARTABLE_VIRAL_STATUSES.join(', ');
  return new ConveyorError(
    ViralErrorCode.InvalidQueueState,
    `Queue entry is in '${status}' state and cannot be started. Valid states: ${valid}`,
    {
      troubleshooting: `Queue entry must be in ${STARTABLE_VIRAL_STATUSES.map((s) => `'${s}'`)
        .join(', ')
        .replace(/, ([^,]*)$/, ', or $1')} state to be started. Check current status and reset if needed`,
    },
  );
}
