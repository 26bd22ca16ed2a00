import { Injectable } from '@nestjs/common';
import { JobStatus, isTerminal } from '@conveyor/contracts';
import { FanOutsRepository, JobRecord, JobsRepository } from '@conveyor/database';
import { JobControl, RunSettlement } from '@conveyor/queueing';

/**
 * Cancelling a job cancels the flow under it: its fan-outs are marked cancelled first (no
 * continuation starts after that, and a parent fanning out again enqueues nothing), then every
 * job under it that is still waiting or running is cancelled as a cancel request would (removed
 * from the queue, or asked to stop at its next step). A second pass catches a continuation a
 * racing fan-in started between the two.
 */
@Injectable()
export class FlowCancellation {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
    private readonly control: JobControl,
    private readonly settlement: RunSettlement,
  ) {}

  /** The jobs under `top` that have not ended (empty for a job that started nothing). */
  async unfinishedUnder(top: JobRecord): Promise<JobRecord[]> {
    return (await this.under(top)).filter((r) => !isTerminal(r.status));
  }

  /** Cancels the flow under `top`; returns how many of its jobs were cancelled or asked to stop. */
  async cancelUnder(top: JobRecord): Promise<number> {
    const rootId = top.flow?.rootId ?? top._id;
    const parents = new Set([top._id, ...(await this.under(top)).map((r) => r._id)]);
    const fanOuts = (await this.fanOuts.ofFlow(rootId)).filter((f) => parents.has(f.parentId) && !f.endedAt);
    await Promise.all(fanOuts.map((f) => this.fanOuts.end(f._id, 'cancelled', `cancelled with job ${top._id}`)));
    const cancelled = new Set<string>();
    for (let pass = 0; pass < 2; pass++) {
      for (const record of await this.unfinishedUnder(top)) if (await this.cancelOne(record)) cancelled.add(record._id);
    }
    return cancelled.size;
  }

  private async under(top: JobRecord): Promise<JobRecord[]> {
    const rootId = top.flow?.rootId ?? top._id;
    const members = await this.jobs.flowDescendants(rootId);
    const byParent = new Map<string, JobRecord[]>();
    for (const m of members) byParent.set(m.flow!.parentId, [...(byParent.get(m.flow!.parentId) ?? []), m]);
    const found: JobRecord[] = [];
    const walk = (id: string) => {
      for (const child of byParent.get(id) ?? []) {
        if (found.includes(child)) continue;
        found.push(child);
        walk(child._id);
      }
    };
    walk(top._id);
    return found;
  }

  private async cancelOne(record: JobRecord): Promise<boolean> {
    const outcome = await this.control.removeIfQueued(record.queue, record._id);
    if (outcome === 'running') {
      await this.control.requestCancel(record.queue, record._id);
      return true;
    }
    if (outcome === 'finished') return false;
    return this.settlement.settle({
      record,
      status: JobStatus.Cancelled,
      set: { finishedAt: new Date() },
      message: 'Cancelled with its flow before a worker took it',
    });
  }
}
