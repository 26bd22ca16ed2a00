import { JobStatus } from './job-status';

/**
 * The words a job type's clients read for Conveyor's statuses, when a product's documents use
 * others (e.g. `succeeded` for `completed`). Every view of such a job (status, read, lists, live
 * events, webhooks) shows the type's word in `status`, and Conveyor's own word in `conveyorStatus`.
 * `cancelledError` is the error a cancelled job shows when the vocabulary folds cancellation into
 * another word (e.g. `failed` with error `Cancelled`).
 */
export interface StatusVocabulary {
  readonly words: Readonly<Record<JobStatus, string>>;
  readonly cancelledError?: string;
}

/** The error code of the error a cancelled job shows under a vocabulary's `cancelledError`. */
export const CANCELLED_ERROR_CODE = 'CANCELLED';

/** The error a cancelled job shows under `vocabulary`, if it folds cancellation into another word. */
export function cancelledError(vocabulary: StatusVocabulary | undefined): { message: string; code: string } | undefined {
  return vocabulary?.cancelledError ? { message: vocabulary.cancelledError, code: CANCELLED_ERROR_CODE } : undefined;
}

/** The word for `status` in `vocabulary`, or Conveyor's own word when the type has none. */
export function statusWord(status: JobStatus, vocabulary: StatusVocabulary | undefined): string {
  return vocabulary?.words[status] ?? status;
}
