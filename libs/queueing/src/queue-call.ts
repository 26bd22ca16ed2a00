import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import { isDatabaseUnavailable } from '@conveyor/database';

/**
 * A Redis call of a job action: its failure is the queue being unavailable (503), not a server
 * fault. An action that also reads or writes records lets MongoDB being unavailable through as
 * itself (the error filter answers that 503).
 */
export async function queueCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (cause instanceof ConveyorError || isDatabaseUnavailable(cause)) throw cause;
    throw new ConveyorError(ErrorCode.QueueUnavailable, 'The job queue is unavailable; retry later', { cause, retryAfterSeconds: 5 });
  }
}
