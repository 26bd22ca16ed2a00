import { ConveyorError, ErrorCode } from '@conveyor/contracts';

/** A Redis call of a job action: its failure is the queue being unavailable (503), not a server fault. */
export async function queueCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (cause instanceof ConveyorError) throw cause;
    throw new ConveyorError(ErrorCode.QueueUnavailable, 'The job queue is unavailable; retry later', { cause, retryAfterSeconds: 5 });
  }
}
