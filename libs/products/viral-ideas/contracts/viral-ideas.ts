/**
 * The viral-ideas analysis product: statuses, run kinds and step table shared by the API (which
 * creates and starts entries) and the worker (which runs the analysis). Seed docs 000 and 001.
 */

/** A queue entry's status; `pending`, `failed` and `paused` entries may be started. */
export enum ViralEntryStatus {
  Pending = 'pending',
  Processing = 'processing',
  Completed = 'completed',
  Failed = 'failed',
  Paused = 'paused',
}

/** States from which `POST /queue/{id}/start` enqueues a run (seed 000). */
export const STARTABLE_VIRAL_STATUSES: readonly ViralEntryStatus[] = [
  ViralEntryStatus.Pending,
  ViralEntryStatus.Failed,
  ViralEntryStatus.Paused,
];

export enum CompetitorSelection {
  Suggested = 'suggested',
  Manual = 'manual',
  Api = 'api',
}

/** A competitor's fetch status during the latest run. */
export enum CompetitorProcessingStatus {
  Pending = 'pending',
  Processing = 'processing',
  Completed = 'completed',
  Failed = 'failed',
}

/** The first run of an entry analyses everything; later runs fetch only newer content. */
export type ViralRunKind = 'initial' | 'recurring';

/** `current_step` while a run is signalled but no worker has taken it yet. */
export const AWAITING_PICKUP_STEP = 'Signaled for processing - awaiting worker pickup';

export const DEFAULT_VIRAL_PRIORITY = 5;
export const DEFAULT_RERUN_FREQUENCY_HOURS = 24;
export const MAX_COMPETITORS = 50;
