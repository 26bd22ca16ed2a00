import { Inject, Injectable } from '@nestjs/common';
import { JobTypeRegistry, QueueName } from '@conveyor/contracts';
import { QueueRegistry } from './queue-registry.service';
import { JOB_TYPE_REGISTRY } from './tokens';
import { queueKeys } from './redis/redis-keys';

const SAMPLE_SIZE = 100;
/** How long a submit's wait estimate may reuse a queue's average (it is a rough estimate anyway). */
const AVERAGE_REUSE_MS = 1_000;

/**
 * Recent processing times per queue, kept in Redis (shared by every process; DESIGN §2 keeps
 * shared counters out of MongoDB). Used for wait-time estimates on submit.
 */
@Injectable()
export class QueueStats {
  private readonly averages = new Map<string, { value: Promise<number>; until: number }>();

  constructor(
    private readonly queues: QueueRegistry,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
  ) {}

  /**
   * Adds processing times and queue waits (newest last); the worker sends its own every moment, in
   * one round trip.
   */
  async recordDurations(queue: QueueName, durationsMs: readonly number[], waitsMs: readonly number[] = []): Promise<void> {
    if (durationsMs.length === 0 && waitsMs.length === 0) return;
    const q = this.queues.get(queue);
    const keys = queueKeys(q);
    const multi = q.client.multi();
    for (const [key, samples] of [
      [keys.durations, durationsMs],
      [keys.waits, waitsMs],
    ] as const) {
      if (samples.length > 0) multi.lpush(key, ...samples.map((ms) => Math.round(ms))).ltrim(key, 0, SAMPLE_SIZE - 1);
    }
    await multi.exec();
  }

  /** Mean of the last SAMPLE_SIZE queue waits (enqueue or due time to a worker's first take); null before any. */
  async averageWaitMs(queue: QueueName): Promise<number | null> {
    return this.mean(queueKeys(this.queues.get(queue)).waits, queue);
  }

  /** Mean of the last SAMPLE_SIZE durations, or the queue policy's expectation before any ran. */
  async averageDurationMs(queue: QueueName): Promise<number> {
    return (await this.measuredAverageDurationMs(queue)) ?? this.registry.policy(queue).expectedDurationMs;
  }

  /** Mean of the last SAMPLE_SIZE durations; null before any job ran. */
  async measuredAverageDurationMs(queue: QueueName): Promise<number | null> {
    return this.mean(this.key(queue), queue);
  }

  private async mean(key: string, queue: QueueName): Promise<number | null> {
    const samples = await this.queues.get(queue).client.lrange(key, 0, SAMPLE_SIZE - 1);
    if (samples.length === 0) return null;
    return samples.reduce((sum, s) => sum + Number(s), 0) / samples.length;
  }

  /** The average as read within the last second: one read per queue per second, not one per submit. */
  recentAverageDurationMs(queue: QueueName): Promise<number> {
    const cached = this.averages.get(queue);
    if (cached && cached.until > Date.now()) return cached.value;
    const value = this.averageDurationMs(queue);
    this.averages.set(queue, { value, until: Date.now() + AVERAGE_REUSE_MS });
    // A failed read is not reused: the next submit reads again.
    value.catch(() => {
      if (this.averages.get(queue)?.value === value) this.averages.delete(queue);
    });
    return value;
  }

  /**
   * Waiting jobs at this priority or a more urgent one (so, for a job just placed, its 1-based
   * position). Bull keeps waiting jobs' priorities in a sorted set; equal priorities run FIFO.
   */
  async waitingAtOrAbove(queue: QueueName | string, priority: number): Promise<number> {
    const q = this.queues.get(queue);
    return q.client.zcount(q.toKey('priority'), 0, priority);
  }

  private key(queue: QueueName): string {
    return queueKeys(this.queues.get(queue)).durations;
  }
}
