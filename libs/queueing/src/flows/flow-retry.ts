import { Injectable } from '@nestjs/common';
import { JobStatus } from '@conveyor/contracts';
import { FanOutsRepository, JobsRepository, fanOutId } from '@conveyor/database';
import { RunRestart } from '../runs/run-restart';
import { FlowFanIn } from './flow-fan-in';
import { FlowTop } from './flow-cancellation';
import { flowSubtree } from './flow-subtree';

/** What a flow's retry did. */
export interface FlowRetried {
  /** Jobs under the top that start a new run now. */
  rerun: number;
  /** Fan-outs opened again (their continuation runs once their children have ended). */
  reopened: number;
}

/**
 * Retrying the flow under a job re-runs only what failed: every fan-out under it that ended
 * `failed` or `cancelled` is opened again and its failed or cancelled children start a new run;
 * a continuation that failed on its own runs again; completed jobs are left as they are. A
 * continuation under a reopened fan-out waits for its children: the fan-in runs it again then.
 */
@Injectable()
export class FlowRetry {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
    private readonly restart: RunRestart,
    private readonly fanIn: FlowFanIn,
  ) {}

  async retryUnder(top: FlowTop): Promise<FlowRetried> {
    const rootId = top.flow?.rootId ?? top._id;
    const [members, fanOuts] = await Promise.all([this.jobs.flowDescendants(rootId), this.fanOuts.ofFlow(rootId)]);
    const under = flowSubtree(members, top._id);
    const parents = new Set([top._id, ...under.map((r) => r._id)]);
    // Fan-outs to retry: ended failed or cancelled, or still open with children that did not complete
    // (a retry that stopped part-way: the next one finishes it).
    const retried = new Map(
      fanOuts
        .filter((f) => parents.has(f.parentId) && (f.outcome === 'failed' || f.outcome === 'cancelled' || !f.endedAt))
        .map((f) => [f._id, f]),
    );
    // Children first, then the fan-outs open again: a fan-in in between finds a child running, never a stale end.
    let rerun = 0;
    const errors: unknown[] = [];
    for (const member of under) {
      if (member.status !== JobStatus.Failed && member.status !== JobStatus.Cancelled) continue;
      const link = member.flow!;
      const underRetried = retried.has(fanOutId(link.parentId, link.step));
      // A child of a fan-out that continued was tolerated by its policy; its continuation has run.
      if (link.role === 'child' && !underRetried) continue;
      // A continuation under a retried fan-out waits for its children: the fan-in runs it again.
      if (link.role === 'continuation' && underRetried) continue;
      try {
        const record = await this.jobs.findByIdUnscoped(member._id);
        if (record && typeof (await this.restart.start(record)) === 'number') rerun++;
      } catch (error) {
        errors.push(error); // the others still run again; a second retry picks this one up
      }
    }
    let reopened = 0;
    for (const fanOut of retried.values()) {
      if (fanOut.endedAt && (await this.fanOuts.reopen(fanOut._id))) reopened++;
      // Every child may have completed already (cancelled just before its continuation).
      await this.fanIn.check({ ...fanOut, endedAt: null, outcome: null, reason: null });
    }
    if (rerun === 0 && reopened === 0 && errors.length > 0) throw errors[0];
    return { rerun, reopened };
  }
}
