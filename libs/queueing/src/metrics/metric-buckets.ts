import { JOB_OUTCOMES, JobOutcome } from '@conveyor/contracts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

/** How far back per-hour buckets go (the most `hours` the queues API can ask for). */
export const METRICS_RETENTION_HOURS = 7 * 24;
/** Per-minute buckets serve windows of up to an hour (failure rate, recent throughput). */
export const MINUTE_BUCKET_TTL_SECONDS = 2 * 60 * 60;
export const HOUR_BUCKET_TTL_SECONDS = (METRICS_RETENTION_HOURS + 1) * 60 * 60;
/** Processing-time samples kept per hour (a uniform sample of the hour's completed jobs). */
export const SAMPLES_PER_HOUR = 1_000;

export type OutcomeCounts = Record<JobOutcome, number>;

/** One hour of a queue's work. Processing times are those of completed jobs. */
export interface HourlyBucket {
  /** Start of the hour (ISO-8601, UTC). */
  hour: string;
  completed: number;
  failed: number;
  retried: number;
  cancelled: number;
  avgProcessingMs: number | null;
  p95ProcessingMs: number | null;
  /** completed ÷ (completed + failed), or null when nothing finished. */
  successRate: number | null;
}

/** The bucket a moment falls in: whole minutes or hours since the epoch. */
export function bucketIndex(atMs: number, sizeMs: number): number {
  return Math.floor(atMs / sizeMs);
}

/** The last `count` buckets up to and including the one `nowMs` is in, oldest first. */
export function trailingBuckets(nowMs: number, sizeMs: number, count: number): number[] {
  const current = bucketIndex(nowMs, sizeMs);
  return Array.from({ length: count }, (_, i) => current - count + 1 + i);
}

/** Nearest-rank percentile (p in 0–100) of unsorted samples, or null without samples. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Outcome counters from a bucket's Redis hash (missing fields and missing hashes count 0). */
export function outcomeCounts(hash: Record<string, string> | null | undefined): OutcomeCounts {
  return Object.fromEntries(JOB_OUTCOMES.map((outcome) => [outcome, Number(hash?.[outcome] ?? 0)])) as OutcomeCounts;
}

export function sumCounts(counts: readonly OutcomeCounts[]): OutcomeCounts {
  return Object.fromEntries(JOB_OUTCOMES.map((outcome) => [outcome, counts.reduce((sum, c) => sum + c[outcome], 0)])) as OutcomeCounts;
}

/**
 * An hour bucket from its hash (outcome counters, `durationSumMs`, `durations`: how many completed
 * jobs were timed) and its processing-time sample.
 */
export function hourlyBucket(index: number, hash: Record<string, string> | null | undefined, samples: readonly string[]): HourlyBucket {
  const counts = outcomeCounts(hash);
  const timed = Number(hash?.durations ?? 0);
  const finished = counts.completed + counts.failed;
  return {
    hour: new Date(index * HOUR_MS).toISOString(),
    ...counts,
    avgProcessingMs: timed > 0 ? Math.round(Number(hash?.durationSumMs ?? 0) / timed) : null,
    p95ProcessingMs: percentile(samples.map(Number), 95),
    successRate: finished > 0 ? counts.completed / finished : null,
  };
}
