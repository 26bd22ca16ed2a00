import { BeforeApplicationShutdown, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { WORKER_HEARTBEAT_INTERVAL_MS, WorkerHeartbeat, WorkerHeartbeats } from '@conveyor/queueing';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { WorkerActivity } from './worker-activity';
import { errorField } from '@conveyor/contracts';

/** Longest a stopping worker waits for Redis to drop its heartbeat (it expires on its own anyway). */
const REMOVE_TIMEOUT_MS = 1_000;

/**
 * Writes this process's heartbeat to Redis every WORKER_HEARTBEAT_INTERVAL_MS (and at once when its
 * consumers change), so operators and the API see which workers are alive, what they consume and
 * how busy they are. A stopping worker removes its heartbeat; a killed one expires. It starts only
 * once the worker has booted (createWorker): a worker that fails to boot never shows as live.
 */
@Injectable()
export class WorkerHeartbeatService implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeatService.name);
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly startedAt = new Date().toISOString();
  private timer?: NodeJS.Timeout;
  private failing = false;
  /** Set once the worker stops: a late beat (its consumers stopping, say) must not bring the heartbeat back. */
  private stopped = false;

  constructor(
    private readonly heartbeats: WorkerHeartbeats,
    private readonly activity: WorkerActivity,
  ) {}

  start(): void {
    if (this.stopped || this.timer) return;
    this.activity.onConsumersChanged(() => void this.beat());
    void this.beat();
    this.timer = setInterval(() => void this.beat(), WORKER_HEARTBEAT_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.heartbeats.remove(this.id).catch(() => undefined),
      new Promise((resolve) => (timeout = setTimeout(resolve, REMOVE_TIMEOUT_MS))),
    ]);
    clearTimeout(timeout);
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const { concurrency, activeJobs, lockTokens } = this.activity.snapshot();
    const beat: WorkerHeartbeat = {
      id: this.id,
      pid: process.pid,
      hostname: hostname(),
      queues: Object.keys(concurrency),
      concurrency,
      activeJobs,
      lockTokens,
      startedAt: this.startedAt,
      beatAt: new Date().toISOString(),
    };
    try {
      await this.heartbeats.publish(beat);
      if (this.failing) this.logger.log('Heartbeats are reaching Redis again');
      this.failing = false;
    } catch (error) {
      // Logged once per outage: the worker keeps working, it is only invisible to operators.
      if (!this.failing) this.logger.warn(errorField(error), 'Heartbeat not written');
      this.failing = true;
    }
  }
}
