import type { Job } from 'bull';

/**
 * How often Bull's stalled checker had put a job back when this worker took it, read from the
 * hash Bull hands over with the job (its moveToActive returns every field), so a first delivery
 * costs no read to tell it from a redelivery.
 */
const atTake = new WeakMap<Job, number>();

export function noteStalledCountAtTake(job: Job, hash: Record<string, string>): void {
  atTake.set(job, Number(hash.stalledCounter) || 0);
}

/** Undefined for a job not taken through the noting hook (then ask Redis). */
export function stalledCountAtTake(job: Job): number | undefined {
  return atTake.get(job);
}
