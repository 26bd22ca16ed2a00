import { ConveyorError, ErrorCode, STARTABLE_VIRAL_STATUSES } from '@conveyor/contracts';

/** Seed 000's errors, with its troubleshooting texts. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkQueueId(queueId: string): string {
  if (!UUID.test(queueId)) {
    throw new ConveyorError(ErrorCode.InvalidUuidFormat, 'queue_id must be a valid UUID', {
      troubleshooting: 'Ensure queue_id is a properly formatted UUID (e.g., 12345678-1234-1234-1234-123456789012)',
    });
  }
  return queueId.toLowerCase();
}

export function queueEntryNotFound(): ConveyorError {
  return new ConveyorError(ErrorCode.QueueNotFound, 'Queue entry not found', {
    troubleshooting: 'Verify the queue_id exists in the viral_ideas_queue table and was properly created',
  });
}

export function invalidQueueState(status: string): ConveyorError {
  const valid = STARTABLE_VIRAL_STATUSES.join(', ');
  return new ConveyorError(
    ErrorCode.InvalidQueueState,
    `Queue entry is in '${status}' state and cannot be started. Valid states: ${valid}`,
    {
      troubleshooting: `Queue entry must be in ${STARTABLE_VIRAL_STATUSES.map((s) => `'${s}'`)
        .join(', ')
        .replace(/, ([^,]*)$/, ', or $1')} state to be started. Check current status and reset if needed`,
    },
  );
}
