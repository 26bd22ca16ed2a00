import { QueueName } from './queue-name';
import { StepDefinition } from './progress';
import { PriorityVocabulary } from './priority-vocabulary';
import { StatusVocabulary } from './status-vocabulary';

/** A payload DTO class: class-validator decorators on it are the payload's validation rules. */
export type PayloadClass<P extends object = object> = new () => P;

/** Everything Conveyor knows about a job type apart from the code that runs it (the handler). */
/** `T`: the type's name as a literal, so lists of definitions yield the union of their names. */
export interface JobTypeDefinition<P extends object = object, T extends string = string> {
  readonly type: T;
  readonly queue: QueueName;
  readonly description: string;
  readonly payload: PayloadClass<P>;
  readonly steps: readonly StepDefinition[];
  /**
   * Whether an anonymous caller (`x-session-id`, no user) may submit this type. Off unless a type
   * says so: most jobs act for an account or spend real resources.
   */
  readonly anonymousSessions?: boolean;
  /**
   * Set for a product's own job type: the generic job API refuses it and names this route, which
   * guards the product's state (e.g. one run per entry at a time).
   */
  readonly startedBy?: string;
  /**
   * Set when a type started by a product route may still be retried through the generic
   * `POST /api/v1/jobs/:id/retry` (its product's documents say so); its RunAdmission hooks run first.
   */
  readonly retriedThroughJobsApi?: boolean;
  /**
   * Set for seed 004's types: the job read's result also carries `{ success, data, processingTime }`
   * as that seed shows it (beside the result's own fields).
   */
  readonly resultEnvelope?: boolean;
  /** The words this type's clients read for its statuses (StatusVocabulary); Conveyor's own when unset. */
  readonly statusVocabulary?: StatusVocabulary;
  /** How this type's clients write priorities in the job verbs (PriorityVocabulary); Conveyor's scale when unset. */
  readonly priorityVocabulary?: PriorityVocabulary;
  /** The class Swagger documents the type's result with (a job read's `result` once completed). */
  readonly result?: new () => object;
  /** URLs in the payload that the worker will call; checked against the outbound policy on submit. */
  readonly outboundUrls?: (payload: P) => Array<{ field: string; url: string }>;
}

/** Checks a definition; call it without type arguments so the payload type and the name are inferred. */
export function defineJobType<P extends object, T extends string>(definition: JobTypeDefinition<P, T>): JobTypeDefinition<P, T> {
  const names = definition.steps.map((s) => s.name);
  if (names.length === 0 || new Set(names).size !== names.length) {
    throw new Error(`Job type ${definition.type} needs at least one step and unique step names`);
  }
  if (definition.steps.some((s) => !(s.weight > 0))) {
    throw new Error(`Job type ${definition.type} has a step with a non-positive weight`);
  }
  return definition;
}
