import { createHash, timingSafeEqual } from 'node:crypto';

/** How one attempt of a job ended, as metrics count it. */
export type JobOutcome = 'completed' | 'failed' | 'retried' | 'cancelled';

export const JOB_OUTCOMES: readonly JobOutcome[] = ['completed', 'failed', 'retried', 'cancelled'];

/** A component's health in `/health/detailed` and the queues API. */
export type HealthStatus = 'healthy' | 'warning' | 'error';

/**
 * The alert thresholds of the product brief (issue 4, "Observability"): the defaults of the
 * HEALTH_* variables (libs/config), which `/health/detailed` and the queues API judge by.
 */
export const HEALTH_THRESHOLDS = {
  /** More waiting jobs than this on one queue → warning. */
  queueDepthWarning: 100,
  /** Share of jobs failed for good over the last hour above this → warning… */
  failureRateWarning: 0.1,
  /** …and above this → error. */
  failureRateError: 0.25,
  /** The window the failure rate is measured over, in minutes. */
  failureRateWindowMinutes: 60,
  /** An active job running longer than this many times its queue's average is stuck → warning… */
  stuckFactor: 2,
  /** …but never before it has run this long (averages of a few ms would flag every job). */
  stuckMinAgeMs: 60_000,
  /** Active jobs over the live workers' combined concurrency above this → warning. */
  utilisationWarning: 0.9,
  /** A queue's average processing time above this many ms → warning; 0 turns the check off. */
  averageProcessingWarningMs: 0,
} as const;

export type HealthThresholds = { readonly [K in keyof typeof HEALTH_THRESHOLDS]: number };

/** What a queue's health is judged on. */
export interface QueueHealthInput {
  /** Waiting jobs, including those of a paused queue. */
  waiting: number;
  active: number;
  /** Jobs completed and failed for good within the failure-rate window. */
  completed: number;
  failed: number;
  /** Active jobs past the stuck threshold. */
  stuck: number;
  /** Live workers consuming the queue, and their combined concurrency on it. */
  workers: number;
  capacity: number;
  /** Mean of the queue's recent processing times, when any job has run. */
  averageProcessingMs?: number | null;
}

export interface QueueHealthVerdict {
  status: HealthStatus;
  /** One sentence per threshold crossed; empty when healthy. */
  reasons: string[];
}

/** Failed ÷ (completed + failed), or null when nothing finished. */
export function failureRate(completed: number, failed: number): number | null {
  const finished = completed + failed;
  return finished === 0 ? null : failed / finished;
}

/** Whether an active job has run long enough to be called stuck. */
export function isStuck(activeForMs: number, averageMs: number, thresholds: HealthThresholds = HEALTH_THRESHOLDS): boolean {
  return activeForMs > Math.max(thresholds.stuckFactor * averageMs, thresholds.stuckMinAgeMs);
}

/** Judges one queue against the thresholds. */
export function evaluateQueueHealth(input: QueueHealthInput, thresholds: HealthThresholds = HEALTH_THRESHOLDS): QueueHealthVerdict {
  const verdicts: Array<[HealthStatus, string]> = [];
  if (input.waiting > 0 && input.workers === 0) {
    verdicts.push(['error', `${input.waiting} jobs waiting and no live worker consumes this queue`]);
  }
  if (input.waiting > thresholds.queueDepthWarning) {
    verdicts.push(['warning', `${input.waiting} jobs waiting (threshold ${thresholds.queueDepthWarning})`]);
  }
  const rate = failureRate(input.completed, input.failed);
  if (rate !== null && rate > thresholds.failureRateWarning) {
    const status: HealthStatus = rate > thresholds.failureRateError ? 'error' : 'warning';
    const limit = status === 'error' ? thresholds.failureRateError : thresholds.failureRateWarning;
    verdicts.push([
      status,
      `${percent(rate)} of jobs failed in the last ${thresholds.failureRateWindowMinutes} min ` +
        `(${input.failed} of ${input.completed + input.failed}; threshold ${percent(limit)})`,
    ]);
  }
  if (input.stuck > 0) {
    verdicts.push(['warning', `${input.stuck} active jobs running longer than ${thresholds.stuckFactor}× the queue's average`]);
  }
  if (input.capacity > 0 && input.active / input.capacity > thresholds.utilisationWarning) {
    verdicts.push([
      'warning',
      `workers at ${percent(input.active / input.capacity)} of their concurrency (threshold ${percent(thresholds.utilisationWarning)})`,
    ]);
  }
  const average = input.averageProcessingMs;
  if (thresholds.averageProcessingWarningMs > 0 && average != null && average > thresholds.averageProcessingWarningMs) {
    verdicts.push(['warning', `jobs take ${duration(average)} on average (threshold ${duration(thresholds.averageProcessingWarningMs)})`]);
  }
  return { status: worstStatus(verdicts.map(([status]) => status)), reasons: verdicts.map(([, reason]) => reason) };
}

const SEVERITY: Record<HealthStatus, number> = { healthy: 0, warning: 1, error: 2 };

/** The most severe of several statuses (healthy when there are none). */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'healthy';
  for (const status of statuses) if (SEVERITY[status] > SEVERITY[worst]) worst = status;
  return worst;
}

/**
 * Whether a request may read `/metrics`: always when no METRICS_TOKEN is configured, else only with
 * `Authorization: Bearer <token>` (compared as digests in constant time, whatever its length).
 */
export function metricsRequestAllowed(authorization: string | string[] | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  if (typeof authorization !== 'string') return false;
  const match = /^Bearer +(\S+)$/i.exec(authorization);
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

function duration(ms: number): string {
  if (ms >= 3_600_000) return `${Math.round(ms / 360_000) / 10} h`;
  if (ms >= 60_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 100) / 10} s`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}
