import { HourlyBucket } from '@conveyor/queueing';

/** Outcomes summed over per-hour buckets (of one queue or several), with the weighted average time. */
export interface BucketTotals {
  /** Completed + failed for good. */
  processed: number;
  completed: number;
  failed: number;
  retried: number;
  cancelled: number;
  averageProcessingMs: number | null;
  successRate: number | null;
}

export function bucketTotals(buckets: readonly HourlyBucket[]): BucketTotals {
  const sum = (pick: (b: HourlyBucket) => number) => buckets.reduce((total, b) => total + pick(b), 0);
  const [completed, failed] = [sum((b) => b.completed), sum((b) => b.failed)];
  const processed = completed + failed;
  // Each hour's average weighs by the jobs it timed.
  const timed = buckets.filter((b) => b.avgProcessingMs !== null);
  const weight = timed.reduce((total, b) => total + b.completed + b.failed, 0);
  return {
    processed,
    completed,
    failed,
    retried: sum((b) => b.retried),
    cancelled: sum((b) => b.cancelled),
    averageProcessingMs:
      weight > 0 ? Math.round(timed.reduce((total, b) => total + b.avgProcessingMs! * (b.completed + b.failed), 0) / weight) : null,
    successRate: processed > 0 ? Math.round((completed / processed) * 1000) / 1000 : null,
  };
}
