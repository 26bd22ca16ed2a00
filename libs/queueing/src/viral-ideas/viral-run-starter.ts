import { Injectable } from '@nestjs/common';
import { ConveyorError, JobType, QueueName, ownerFromKey } from '@conveyor/contracts';
import { ViralEntry, ViralIdeasRepository } from '@conveyor/database';
import { randomUUID } from 'node:crypto';
import { JobProducer, SubmittedJob } from '../job-producer.service';
import { QueueRegistry } from '../queue-registry.service';

/**
 * Whether an entry's latest run is still in Bull: `queued` (waiting, delayed or paused, including
 * between attempts), `running` (active, and a worker holds its lock) or `none` (finished, gone,
 * or active with no worker holding it: its worker died).
 */
export type RunLiveness = 'queued' | 'running' | 'none';

export type RunStartOutcome =
  /** Enqueued; it may start after `delayMs` (its place in a staggered batch). */
  | { entry: ViralEntry; started: SubmittedJob; delayMs: number }
  /** Another start claimed the entry between the read and the claim. */
  | { entry: ViralEntry; lostRace: true }
  | { entry: ViralEntry; error: ConveyorError };

/**
 * The one way a viral-ideas analysis run starts (the start route, the admin batch and the re-run
 * schedule): claim the entry for a new job id (compare-and-set, so two starts never both win),
 * then enqueue the runs in one addBulk, in the order given, `staggerMs` apart. A claim whose
 * enqueue fails is released.
 */
@Injectable()
export class ViralRunStarter {
  constructor(
    private readonly repository: ViralIdeasRepository,
    private readonly producer: JobProducer,
    private readonly queues: QueueRegistry,
  ) {}

  async liveness(entry: Pick<ViralEntry, 'active_job_id'>): Promise<RunLiveness> {
    if (!entry.active_job_id) return 'none';
    const queue = this.queues.get(QueueName.ViralAnalysis);
    const job = await queue.getJob(entry.active_job_id);
    if (!job) return 'none';
    const state = (await job.getState()) as string;
    if (state === 'waiting' || state === 'delayed' || state === 'paused') return 'queued';
    if (state !== 'active') return 'none';
    return (await queue.client.exists(job.lockKey())) === 1 ? 'running' : 'none';
  }

  /**
   * Re-runs of completed entries whose `next_scheduled_run` has come (auto re-run on), at most
   * `limit` per call, oldest due first; the system schedule `viral-ideas-reruns` calls it.
   */
  async startDueReruns(limit = 100): Promise<RunStartOutcome[]> {
    const due: ViralEntry[] = [];
    for (const entry of await this.repository.dueReruns(new Date(), limit)) {
      if ((await this.liveness(entry)) === 'none') due.push(entry);
    }
    return due.length > 0 ? this.start(due) : [];
  }

  async start(entries: ViralEntry[], staggerMs = 0): Promise<RunStartOutcome[]> {
    const now = new Date();
    const outcomes: RunStartOutcome[] = [];
    const claimed: Array<{ entry: ViralEntry; jobId: string }> = [];
    for (const entry of entries) {
      const jobId = randomUUID();
      if (await this.repository.claimRun(entry, jobId, now)) claimed.push({ entry, jobId });
      else outcomes.push({ entry, lostRace: true });
    }
    // Each run is submitted as its entry's owner, so the owner sees the job in the job API too.
    const submitted = await this.producer.submitClaimed(
      claimed.map(({ entry, jobId }, i) => ({
        owner: ownerFromKey(entry.owner_key),
        jobId,
        input: {
          type: JobType.ViralIdeasAnalysis,
          data: { queueId: entry._id },
          options: { priority: entry.priority, delay: i * staggerMs },
        },
      })),
    );
    for (const [i, outcome] of submitted.entries()) {
      const { entry, jobId } = claimed[i];
      if ('job' in outcome) {
        outcomes.push({ entry, started: outcome.job, delayMs: i * staggerMs });
      } else {
        await this.repository.releaseClaim(jobId, entry);
        outcomes.push({ entry, error: outcome.error });
      }
    }
    const order = new Map(entries.map((e, i) => [e._id, i]));
    return outcomes.sort((a, b) => order.get(a.entry._id)! - order.get(b.entry._id)!);
  }
}
