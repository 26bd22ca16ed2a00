import { Injectable } from '@nestjs/common';
import { QueueRegistry, WorkerHeartbeats } from '@conveyor/queueing';
import { DetailedHealthService } from './detailed-health.service';

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
    const reports = await Promise.all(names.map((name) => this.health.queueHealth(name, workers, now)));
    return { checkedAt: new Date(now).toISOString(), queues: reports.map((r) => ({ name: r.name, healthStatus: r.status })) };
  }
}
