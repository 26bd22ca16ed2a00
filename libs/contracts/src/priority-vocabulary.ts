/**
 * How a job type's clients write priorities when their documents use another scale than
 * Conveyor's (e.g. seed 002's URGENT…LOW, 4…1, higher first). `PUT /api/v1/jobs/:id/priority`
 * reads a job's new priority through it; the job keeps Conveyor's number.
 */
export interface PriorityVocabulary {
  /** Conveyor's priority for what the client sent, or undefined when it is not one of the type's. */
  read(input: unknown): number | undefined;
  /** What a valid priority is for this type, in the refusal's words. */
  readonly rule: string;
}
