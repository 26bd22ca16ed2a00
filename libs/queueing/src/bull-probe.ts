import { Injectable } from '@nestjs/common';
import { JobEnvelope, QueueName } from '@conveyor/contracts';
import { Job, JobStatus as BullJobState, Queue } from 'bull';
import { QueueRegistry } from './queue-registry.service';

/** Where a job is in Bull: Bull's own state words (plus `stuck` for a job Bull cannot place). */
export type BullState = BullJobState | 'stuck';

/** One look at a job in Bull. */
export interface BullSighting<T = JobEnvelope> {
  job: Job<T>;
  state: BullState;
  /** Active only: whether a worker holds the job's lock (false: its worker died). */
  locked?: boolean;
}

export interface ProbeOptions {
  /** Only the job of this run: a finished run's Bull job may linger while the next is enqueued. */
  run?: number;
  /** Also read, for an active job, whether a worker holds its lock. */
  lock?: boolean;
}

/**
 * The only reader of "where is this job in Bull": its state, run and lock, in one place, so every
 * caller (job reads, cancel, dead letters, the reconcile sweep, a product's liveness check) asks
 * the same question the same way.
 */
@Injectable()
export class BullProbe {
  constructor(private readonly queues: QueueRegistry) {}

  /** The job as Bull has it now, or undefined when Bull no longer has it (or has another run of it). */
  async find<T = JobEnvelope>(queueName: QueueName, jobId: string, options: ProbeOptions = {}): Promise<BullSighting<T> | undefined> {
    const queue = this.queues.get(queueName);
    const job: Job<T> | null = await queue.getJob(jobId);
    if (!job || (options.run !== undefined && runOf(job) !== options.run)) return undefined;
    const state = (await job.getState()) as BullState;
    const locked = options.lock && state === 'active' ? await isLocked(queue, job) : undefined;
    return { job, state, ...(locked !== undefined ? { locked } : {}) };
  }

  /** Bull's state of a job, or undefined when Bull no longer has it. */
  async stateOf(queueName: QueueName, jobId: string): Promise<BullState | undefined> {
    return (await this.find(queueName, jobId))?.state;
  }

  /**
   * Whether a job is still Bull's to run: `queued` (waiting, delayed or paused, including between
   * attempts), `running` (active, and a worker holds its lock) or `none` (finished, gone, or active
   * with no worker holding it: its worker died).
   */
  async liveness(queueName: QueueName, jobId: string): Promise<'queued' | 'running' | 'none'> {
    const seen = await this.find(queueName, jobId, { lock: true });
    if (!seen) return 'none';
    if (seen.state === 'waiting' || seen.state === 'delayed' || seen.state === 'paused') return 'queued';
    return seen.state === 'active' && seen.locked ? 'running' : 'none';
  }
}

/** The run a Bull job belongs to (1 unless the job was retried after it finished). */
export function runOf(job: Job<unknown>): number {
  return (job.data as { run?: number } | undefined)?.run ?? 1;
}

/** Whether a worker holds the job's lock. */
export async function isLocked(queue: Queue, job: Job<unknown>): Promise<boolean> {
  return (await queue.client.exists(job.lockKey())) === 1;
}

/** The token a Bull queue object writes into the locks of the jobs it takes (Bull's typings omit it). */
export function lockTokenOf(queue: Queue): string {
  return (queue as Queue & { token: string }).token;
}
