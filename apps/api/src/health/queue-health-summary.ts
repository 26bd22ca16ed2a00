import { Injectable } from '@nestjs/common';
import { HealthStatus, QueueName, worstStatus } from '@conveyor/contracts';
import { QueueRegistry, QueueSettings, WorkerHeartbeats } from '@conveyor/queueing';
import { DetailedHealthService } from './detailed-health.service';

/** A queue's health word on every route: its judgement, and `warning` while paused or draining (it takes no work). */
export function queueHealthStatus(judged: HealthStatus, isPaused: boolean, isDraining: boolean): HealthStatus {
  return worstStatus([judged, ...(isPaused || isDraining ? (['warning'] as const) : [])]);
}

/** How long one judgement of every queue is reused: `/health` is probed often and never throttled. */
const REUSE_MS = 10_000;

export interface QueueHealthSummaryView {
  checkedAt: string;
  queues: Array<{ name: string; healthStatus: 'healthy' | 'warning' | 'error' }>;
}

/** Every queue's health as `/health/detailed` judges it, reused for a few seconds. */
@Injectable()
export class QueueHealthSummary {
  private last?: { at: number; summary: Promise<QueueHealthSummaryView> };

  constructor(
    private readonly health: DetailedHealthService,
    private readonly queues: QueueRegistry,
    private readonly heartbeats: WorkerHeartbeats,
    private readonly settings: QueueSettings,
  ) {}

  read(now = Date.now()): Promise<QueueHealthSummaryView> {
    if (!this.last || now - this.last.at > REUSE_MS) {
      const summary = this.judge(now);
      const entry = { at: now, summary };
      this.last = entry;
      // A failed judgement is not reused.
      summary.catch(() => this.last === entry && (this.last = undefined));
    }
    return this.last.summary;
  }

  private async judge(now: number): Promise<QueueHealthSummaryView> {
    const workers = await this.heartbeats.list().catch(() => null);
    const names = this.queues
      .all()
      .map((q) => q.name)
      .sort();
    const queues = await Promise.all(
      names.map(async (name) => {
        const [report, isPaused, isDraining] = await Promise.all([
          this.health.queueHealth(name, workers, now),
          this.queues.get(name).isPaused(),
          this.settings.isDraining(name as QueueName),
        ]);
        return { name, healthStatus: queueHealthStatus(report.status, isPaused, isDraining) };
      }),
    );
    return { checkedAt: new Date(now).toISOString(), queues };
  }
}
