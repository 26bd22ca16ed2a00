import { BackoffSpec } from './backoff';
import { PriorityInput } from './priority';
import { JobCallback, WebhookEvent } from './webhooks';

/** Retry delays as clients write them (Bull's `delay` naming, in milliseconds). */
export type BackoffInput = { type: 'fixed' | 'exponential'; delay: number } | { type: 'list'; delays: number[] };

export interface JobOptionsInput {
  priority?: PriorityInput;
  /** Milliseconds to hold the job back before it may run. */
  delay?: number;
  attempts?: number;
  backoff?: BackoffInput;
  /** Per-attempt time limit in milliseconds. */
  timeout?: number;
}

export interface SubmitJobInput {
  type: string;
  /** Seed 004 names the queue too: it must be the type's. */
  queue?: string;
  data: unknown;
  options?: JobOptionsInput;
  /** `higher-first`: options.priority is on seed 004's scale (10 most urgent), mapped onto ours (1 most urgent). */
  priorityOrder?: PriorityOrder;
  /** Set by the API, never by a client: the submitting request's X-Request-Id, carried into the job's logs. */
  requestId?: string;
  callbackUrl?: string;
  callbackEvents?: WebhookEvent[];
  callbackSecret?: string;
}

export type PriorityOrder = 'lower-first' | 'higher-first';
export const PRIORITY_ORDERS: readonly PriorityOrder[] = ['lower-first', 'higher-first'];

/** The options a job actually runs with, after defaults and caps from its queue's policy. */
export interface ResolvedJobOptions {
  priority: number;
  delayMs: number;
  attempts: number;
  backoff: BackoffSpec;
  timeoutMs: number;
}

export const MAX_DELAY_MS = 30 * 24 * 60 * 60 * 1000;
export const MAX_LISTED_BACKOFF_DELAYS = 20;

/** What Conveyor stores as a Bull job's `data`: the payload plus what the worker needs to run it. */
export interface JobEnvelope<P = unknown> {
  /** Sealed for the job (DataCipher); the worker opens it before the handler runs. */
  payload: P;
  timeoutMs: number;
  /** 1, or more after explicit retries of the finished job (see transitionSeq). */
  run: number;
  /** Webhook target, when the submitter asked for one. */
  callback?: JobCallback;
  /** Who submitted the job (ownerKey); absent on jobs enqueued before it was carried. */
  owner?: string;
  /** Set on a job a fan-out started: its end may complete its fan-out (the worker tells the fan-in). */
  inFlow?: boolean;
  /** The X-Request-Id of the submission that made this run: the worker's job log lines carry it. */
  requestId?: string;
}
