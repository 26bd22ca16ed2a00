import { Injectable, Logger } from '@nestjs/common';
import { EffectiveQueuePolicy, ResolvedJobOptions, errorField } from '@conveyor/contracts';
import { QueueStats } from './queue-stats.service';

/** A submitted job's place in its queue and a rough wait, from Bull and the queue's recent timings. */
@Injectable()
export class WaitEstimate {
  private readonly logger = new Logger(WaitEstimate.name);

  constructor(private readonly stats: QueueStats) {}

  /**
   * Where the job stands and a rough wait. The job is already accepted, so if Redis fails now the
   * estimate falls back to the queue policy rather than failing the submission. For a dry run the
   * job is not in the queue yet, so its position is one more than the jobs ahead of it.
   */
  async estimate(policy: EffectiveQueuePolicy, options: ResolvedJobOptions, delayed: boolean, notYetQueued: 0 | 1 = 0) {
    const name = policy.name;
    let queuePosition: number | null = null;
    let averageMs = policy.expectedDurationMs;
    try {
      const [ahead, average] = await Promise.all([
        delayed ? null : this.stats.waitingAtOrAbove(name, options.priority),
        this.stats.recentAverageDurationMs(name),
      ]);
      queuePosition = ahead === null ? null : ahead + notYetQueued;
      averageMs = average;
    } catch (error) {
      this.logger.warn(errorField(error), `No queue position for a job on ${name}`);
    }
    const waitMs = options.delayMs + Math.ceil((queuePosition ?? 1) / policy.concurrency) * averageMs;
    return { queuePosition, estimatedWaitSeconds: Math.ceil(waitMs / 1000) };
  }
}
