import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JobOutcome, QueueName, SERVICE_QUEUES, errorField } from '@conveyor/contracts';
import { OutcomeSample, QueueMetrics, QueueStats, withTimeout } from '@conveyor/queueing';
import { PeriodicLoop } from '../runtime/periodic-loop';

/** How often the worker sends what it counted; the queues API and health see outcomes this late at most. */
export const OUTCOME_FLUSH_MS = 250;
/**
 * Shutdown waits this long for a send under way, then this long again for the last one: counters
 * must not hold a stopping worker during a Redis outage.
 */
const SHUTDOWN_WAIT_MS = 1_000;

/**
 * The shared per-queue counters in Redis (QueueMetrics: outcomes, processing-time samples;
 * QueueStats: the durations behind job types' wait estimates), written in batches: this worker's
 * outcomes of the last moment go out in one script and one list write per queue instead of two
 * round trips per attempt, which were most of its Redis commands per job. What is pending when
 * the worker stops is sent on shutdown; a crash loses at most the last moment's counts, never a
 * job or its record.
 */
@Injectable()
export class OutcomeBuffer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutcomeBuffer.name);
  private pending = new Map<QueueName, OutcomeSample[]>();
  private pendingWaits = new Map<QueueName, number[]>();
  private lastWarningAt = 0;
  private readonly loop = new PeriodicLoop({
    what: 'Outcome counters',
    periodMs: OUTCOME_FLUSH_MS,
    step: () => this.flush(),
    logger: this.logger,
    stopWaitMs: SHUTDOWN_WAIT_MS,
  });
  /** The sends so far, one at a time, so a flush resolves only after every earlier count is sent. */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly metrics: QueueMetrics,
    private readonly stats: QueueStats,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  /** Before the Redis connections close (QueueingModule closes them on shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    await withTimeout(this.flush(), SHUTDOWN_WAIT_MS).catch((error: unknown) =>
      this.logger.warn(errorField(error), 'Last outcome counters not sent'),
    );
  }

  add(queue: QueueName, outcome: JobOutcome, durationMs: number): void {
    const samples = this.pending.get(queue) ?? [];
    samples.push({ outcome, durationMs, at: Date.now() });
    this.pending.set(queue, samples);
  }

  /** How long a job waited before a worker first took it. */
  addWait(queue: QueueName, waitMs: number): void {
    if (SERVICE_QUEUES.includes(queue)) return;
    const waits = this.pendingWaits.get(queue) ?? [];
    waits.push(Math.max(0, waitMs));
    this.pendingWaits.set(queue, waits);
  }

  /** Sends everything counted so far; a batch Redis refused is dropped with a warning (metrics only). */
  flush(): Promise<void> {
    this.sending = this.sending.then(() => this.send());
    return this.sending;
  }

  private async send(): Promise<void> {
    const [batches, waits] = [this.pending, this.pendingWaits];
    this.pending = new Map();
    this.pendingWaits = new Map();
    const queues = new Set([...batches.keys(), ...waits.keys()]);
    await Promise.all(
      [...queues].map(async (queue) => {
        const samples = batches.get(queue) ?? [];
        // Wait estimates are for job types' queues; Conveyor's own queues keep outcome counts only.
        const durations = SERVICE_QUEUES.includes(queue) ? [] : samples.filter((s) => s.outcome === 'completed').map((s) => s.durationMs);
        try {
          await Promise.all([
            samples.length > 0 ? this.metrics.recordOutcomes(queue, samples) : undefined,
            this.stats.recordDurations(queue, durations, waits.get(queue)),
          ]);
        } catch (error) {
          this.warnAtMostEvery10s(queue, error);
        }
      }),
    );
  }

  private warnAtMostEvery10s(queue: QueueName, error: unknown): void {
    if (Date.now() - this.lastWarningAt < 10_000) return;
    this.lastWarningAt = Date.now();
    this.logger.warn(errorField(error), `Queue metrics of ${queue} not recorded`);
  }
}
