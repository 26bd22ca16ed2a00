import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, ownerFromKey } from '@conveyor/contracts';
import { randomUUID } from 'node:crypto';
import { BullProbe, JobProducer, QueueRegistry, RedisLease, SubmittedJob, conveyorKeys } from '@conveyor/queueing';
import { VIRAL_ANALYSIS_QUEUE, VIRAL_IDEAS_ANALYSIS } from '../contracts';
import { ViralEntry, ViralIdeasRepository } from '../data';

/**
 * Whether an entry's latest run is still in Bull: `queued` (waiting, delayed or paused, including
 * between attempts), `running` (active, and a worker holds its lock) or `none` (finished, gone,
 * or active with no worker holding it: its worker died).
 */
export type RunLiveness = 'queued' | 'running' | 'none';

/** How long a start holds an entry's claim guard at most (it is deleted as soon as the start ends). */
const CLAIM_GUARD_MS = 30_000;

export type RunStartOutcome =
  /** Enqueued; it may start after `delayMs` (its place in a staggered batch). */
  | { entry: ViralEntry; started: SubmittedJob; delayMs: number }
  /** Another start claimed the entry between the read and the claim; `jobId` is its run when known. */
  | { entry: ViralEntry; lostRace: true; jobId?: string }
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
    private readonly probe: BullProbe,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async liveness(entry: Pick<ViralEntry, 'active_job_id'>): Promise<RunLiveness> {
    return entry.active_job_id ? this.probe.liveness(VIRAL_ANALYSIS_QUEUE, entry.active_job_id) : 'none';
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
    const redis = this.queues.get(VIRAL_ANALYSIS_QUEUE).client;
    const guards: RedisLease[] = [];
    for (const entry of entries) {
      const jobId = randomUUID();
      // One claimant per entry at a time, in Redis: the compare-and-set below is atomic on MongoDB
      // but not on FerretDB, where two starts at once both claimed the entry. (The key keeps its
      // older name, `viral-claim`, so a start during a deploy still sees the other version's guard.)
      const key = conveyorKeys(this.config.redis.prefix).product('viral-claim', entry._id);
      const guard = await RedisLease.acquire(redis, key, CLAIM_GUARD_MS, jobId);
      if (!guard) {
        outcomes.push({ entry, lostRace: true, jobId: await RedisLease.holder(redis, key) });
        continue;
      }
      guards.push(guard);
      if (await this.repository.claimRun(entry, jobId, now)) claimed.push({ entry, jobId });
      else outcomes.push({ entry, lostRace: true });
    }
    try {
      await this.enqueueClaimed(claimed, staggerMs, outcomes);
    } finally {
      await Promise.all(guards.map((guard) => guard.release()));
    }
    const order = new Map(entries.map((e, i) => [e._id, i]));
    return outcomes.sort((a, b) => order.get(a.entry._id)! - order.get(b.entry._id)!);
  }

  /** Enqueues the claimed runs in one addBulk; a claim whose enqueue failed is released. */
  private async enqueueClaimed(
    claimed: Array<{ entry: ViralEntry; jobId: string }>,
    staggerMs: number,
    outcomes: RunStartOutcome[],
  ): Promise<void> {
    // Each run is submitted as its entry's owner, so the owner sees the job in the job API too.
    const submitted = await this.producer.submitClaimed(
      claimed.map(({ entry, jobId }, i) => ({
        owner: ownerFromKey(entry.owner_key),
        jobId,
        input: {
          type: VIRAL_IDEAS_ANALYSIS,
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
  }
}
