import { Inject, Injectable, forwardRef } from '@nestjs/common';
import { isTerminal } from '@conveyor/contracts';
import { FanOutsRepository, FlowMemberRecord, JobsRepository } from '@conveyor/database';
import { RunCancellation } from '../runs/run-cancellation';
import { flowSubtree } from './flow-subtree';

/** A job a flow is cancelled under: any record with its id, flow link and queue. */
export type FlowTop = Pick<FlowMemberRecord, '_id' | 'flow'>;

/**
 * Cancelling the flow under a job: its open fan-outs are ended `cancelled` first (no fan-in starts
 * a continuation after that, and a fan-in that started one just before takes it back; a parent
 * fanning out again enqueues nothing), then every job under it still waiting or running is
 * cancelled as a cancel request would (removed from the queue and recorded, or asked to stop at
 * its next step). Twice over, to catch a job a racing fan-out enqueued between the two.
 */
@Injectable()
export class FlowCancellation {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
    // Imported in a cycle (settled runs feed the fan-in, which may cancel): resolved lazily.
    @Inject(forwardRef(() => RunCancellation)) private readonly runs: RunCancellation,
  ) {}

  /** The jobs under `top` that have not ended (empty for a job that started nothing). */
  async unfinishedUnder(top: FlowTop): Promise<FlowMemberRecord[]> {
    return (await this.under(top)).filter((r) => !isTerminal(r.status));
  }

  /** Whether `top` has fan-outs still open, or jobs under it still running (a job that never fanned out has none: one indexed read). */
  async hasOpenFlow(top: FlowTop): Promise<boolean> {
    if ((await this.fanOuts.ofParent(top._id)).length === 0) return false;
    const rootId = top.flow?.rootId ?? top._id;
    const [under, fanOuts] = await Promise.all([this.under(top), this.fanOuts.ofFlow(rootId)]);
    const parents = new Set([top._id, ...under.map((r) => r._id)]);
    return under.some((r) => !isTerminal(r.status)) || fanOuts.some((f) => !f.endedAt && parents.has(f.parentId));
  }

  /** Cancels the flow under `top`; returns how many of its jobs were cancelled or asked to stop. */
  async cancelUnder(top: FlowTop): Promise<number> {
    const rootId = top.flow?.rootId ?? top._id;
    const cancelled = new Set<string>();
    for (let pass = 0; pass < 2; pass++) {
      const under = await this.under(top);
      const parents = new Set([top._id, ...under.map((r) => r._id)]);
      const open = (await this.fanOuts.ofFlow(rootId)).filter((f) => parents.has(f.parentId) && !f.endedAt);
      await Promise.all(open.map((f) => this.fanOuts.end(f._id, 'cancelled', `cancelled with job ${top._id}`)));
      for (const record of under.filter((r) => !isTerminal(r.status))) if (await this.cancelJob(record)) cancelled.add(record._id);
    }
    return cancelled.size;
  }

  /** Cancels one job of a flow; true when it is cancelled or asked to stop (RunCancellation). */
  async cancelJob(record: FlowMemberRecord): Promise<boolean> {
    return (await this.runs.cancel(record, 'Cancelled with its flow before a worker took it')) !== 'ended';
  }

  private async under(top: FlowTop): Promise<FlowMemberRecord[]> {
    return flowSubtree(await this.jobs.flowDescendants(top.flow?.rootId ?? top._id), top._id);
  }
}
