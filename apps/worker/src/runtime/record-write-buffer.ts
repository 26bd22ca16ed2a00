import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { JobStatus } from '@conveyor/contracts';
import { JobWrite, JobsRepository, isDatabaseUnavailable } from '@conveyor/database';

/**
 * Larger batches bring nothing on FerretDB (each statement costs the same) and very large ones
 * have been seen to stall it; small batches still save most round trips on MongoDB.
 */
const MAX_BATCH = 25;
/**
 * Batches under way at once. A second one lets the database work on two (FerretDB runs each
 * update as a transaction of its own, PostgreSQL runs two in parallel) while the first is out,
 * but only once enough writes wait to fill it: below that, waiting for the batch in flight makes
 * fewer, larger batches (fewer round trips) at no cost in throughput. A job's writes never sit in
 * two batches at once: its next write waits for the batch holding its last one, so each job's
 * writes still apply in order (progress writes share their attempt's seq, which alone would not
 * order them).
 */
const MAX_IN_FLIGHT = 2;
const SECOND_BATCH_MIN = 8;

/**
 * How long start and progress writes wait before they are sent. A job that ends sooner is
 * written once, with its outcome; clients see live state from Bull meanwhile, not from the record.
 */
export const BACKGROUND_LINGER_MS = 200;

interface Pending {
  write: JobWrite;
  /** Not sent before this time (0: as soon as possible). */
  notBefore: number;
  settle: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * The worker process's writer of job records (DESIGN §2: record writes are the hot path's cost).
 * Writes queue up while MAX_IN_FLIGHT batches are under way and go out together as one ordered
 * bulkWrite, so concurrent jobs share round trips. Superseded writes are folded away before they
 * are sent:
 *   - progress joins a pending start or progress write of the same attempt;
 *   - a transition replaces the job's pending start and progress writes (outcomes carry the
 *     attempt's start time themselves).
 * A promise resolves once its write, or the write that absorbed it, is durable.
 */
@Injectable()
export class RecordWriteBuffer implements OnModuleDestroy {
  private pending: Pending[] = [];
  private inFlight = 0;
  /** Jobs with a write in a batch under way. */
  private readonly busyJobs = new Map<string, number>();
  private idle?: () => void;
  private timer?: NodeJS.Timeout;

  constructor(private readonly jobs: JobsRepository) {}

  /** A write that must be durable before the caller goes on (outcomes). */
  writeNow(write: JobWrite): Promise<void> {
    return this.enqueue(write, 0);
  }

  /** A write that may wait a little and be superseded (start, progress). */
  writeLater(write: JobWrite): Promise<void> {
    return this.enqueue(write, Date.now() + BACKGROUND_LINGER_MS);
  }

  /** Sends everything still pending, lingering or not (worker shutdown). */
  async onModuleDestroy(): Promise<void> {
    for (const p of this.pending) p.notBefore = 0;
    const drained = new Promise<void>((resolve) => (this.idle = resolve));
    this.schedule();
    if (this.inFlight > 0 || this.pending.length > 0) await drained;
  }

  private enqueue(write: JobWrite, notBefore: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = this.foldInto(write) ?? this.append(write, notBefore);
      entry.settle.push({ resolve, reject });
      this.schedule();
    });
  }

  private append(write: JobWrite, notBefore: number): Pending {
    const entry: Pending = { write, notBefore, settle: [] };
    if (write.kind === 'transition') {
      const jobId = write.transition.jobId;
      const superseded = this.pending.filter((p) => p.notBefore > 0 && jobOf(p.write) === jobId);
      if (superseded.length > 0) {
        this.pending = this.pending.filter((p) => !superseded.includes(p));
        entry.settle.push(...superseded.flatMap((p) => p.settle));
      }
    }
    this.pending.push(entry);
    return entry;
  }

  /** Folds a progress write into a pending write of the same running attempt, if there is one. */
  private foldInto(write: JobWrite): Pending | undefined {
    if (write.kind !== 'progress') return undefined;
    const { jobId, seq, progress } = write.update;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const candidate = this.pending[i].write;
      if (jobOf(candidate) !== jobId) continue;
      if (candidate.kind === 'progress' && candidate.update.seq === seq) {
        candidate.update.progress = progress;
        return this.pending[i];
      }
      if (candidate.kind === 'transition' && candidate.transition.seq === seq && candidate.transition.status === JobStatus.Active) {
        candidate.transition.set = { ...candidate.transition.set, progress };
        return this.pending[i];
      }
      return undefined;
    }
    return undefined;
  }

  /** Sends due writes while a batch slot is free (see SECOND_BATCH_MIN); sets a timer for lingering ones. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight < MAX_IN_FLIGHT) {
      const now = Date.now();
      const batch = this.pending.filter((p) => p.notBefore <= now && !this.busyJobs.has(jobOf(p.write))).slice(0, MAX_BATCH);
      if (batch.length === 0 || (this.inFlight > 0 && batch.length < SECOND_BATCH_MIN)) break;
      this.pending = this.pending.filter((p) => !batch.includes(p));
      const jobs = batch.map((p) => jobOf(p.write));
      for (const job of jobs) this.busyJobs.set(job, (this.busyJobs.get(job) ?? 0) + 1);
      this.inFlight++;
      void this.send(batch).finally(() => {
        for (const job of jobs) {
          const left = this.busyJobs.get(job)! - 1;
          if (left === 0) this.busyJobs.delete(job);
          else this.busyJobs.set(job, left);
        }
        this.inFlight--;
        this.schedule();
      });
    }
    if (this.inFlight === 0 && this.pending.length === 0) this.idle?.();
    // Due writes left behind go when a batch returns; a timer only for those still lingering.
    const now = Date.now();
    const lingering = this.pending.filter((p) => p.notBefore > now);
    if (lingering.length > 0) this.timer = setTimeout(() => this.schedule(), Math.min(...lingering.map((p) => p.notBefore)) - now);
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      await this.jobs.applyInOrder(batch.map((p) => p.write));
      for (const p of batch) for (const s of p.settle) s.resolve();
    } catch (error) {
      if (batch.length > 1 && !isDatabaseUnavailable(error)) {
        await this.sendOneByOne(batch);
        return;
      }
      for (const p of batch) for (const s of p.settle) s.reject(error);
    }
  }

  /**
   * A batch refused whole (one job's result holds a value the store cannot take, say) is sent
   * again write by write, so one job's bad write never fails the others'. Safe after a partial
   * apply: every write is guarded, so one applied twice changes nothing the second time.
   */
  private async sendOneByOne(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        await this.jobs.applyInOrder([p.write]);
        for (const s of p.settle) s.resolve();
      } catch (error) {
        for (const s of p.settle) s.reject(error);
      }
    }
  }
}

function jobOf(write: JobWrite): string {
  return write.kind === 'transition' ? write.transition.jobId : write.update.jobId;
}
