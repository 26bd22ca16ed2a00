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

/** The word for `status` in `vocabulary`, or Conveyor's own word when the type has none. */
export function statusWord(status: JobStatus, vocabulary: StatusVocabulary | undefined): string {
  return vocabulary?.words[status] ?? status;
}
