import { Injectable } from '@nestjs/common';
import { QueueName, queuePolicy } from '@conveyor/contracts';
import { QueueRegistry } from './queue-registry.service';

const SAMPLE_SIZE = 100;

/**
 * Recent processing times per queue, kept in Redis (shared by every process; DESIGN §2 keeps
 * shared counters out of MongoDB). Used for wait-time estimates on submit.
 */
@Injectable()
export class QueueStats {
  constructor(private readonly queues: QueueRegistry) {}

  async recordDuration(queue: QueueName, durationMs: number): Promise<void> {
    const q = this.queues.get(queue);
    await q.client
      .multi()
      .lpush(this.key(queue), Math.round(durationMs))
      .ltrim(this.key(queue), 0, SAMPLE_SIZE - 1)
      .exec();
  }

  /** Mean of the last SAMPLE_SIZE durations, or the queue policy's expectation before any ran. */
  async averageDurationMs(queue: QueueName): Promise<number> {
    const samples = await this.queues.get(queue).client.lrange(this.key(queue), 0, SAMPLE_SIZE - 1);
    if (samples.length === 0) return queuePolicy(queue).expectedDurationMs;
    return samples.reduce((sum, s) => sum + Number(s), 0) / samples.length;
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
    return this.queues.get(queue).toKey('conveyor:durations');
  }
}
