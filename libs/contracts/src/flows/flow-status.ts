import { JobStatus } from '../job-status';
import { FlowTreeNode } from './flow';

/** A flow's word: `running` until it has ended, then how it ended. */
export type FlowStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/** What the status reads of a fan-out (its record in `flow_fan_outs`). */
export interface FanOutEnd {
  endedAt: Date | null;
  outcome: string | null;
}

/**
 * The flow's word: running until every job has ended and every fan-out has too (one not ended may
 * still start its continuation); then cancelled if its top job or a fan-out was, failed if the top
 * job, a continuation or a fan-out with the `fail` policy failed; else completed. A child that
 * failed under `continue` does not fail the flow. The job read, the tree and flow-end
 * notifications share this one rule.
 */
export function flowStatus(top: FlowTreeNode, finished: boolean, fanOuts: readonly FanOutEnd[]): FlowStatus {
  if (!finished || fanOuts.some((f) => !f.endedAt)) return 'running';
  if (top.status === JobStatus.Cancelled || fanOuts.some((f) => f.outcome === 'cancelled')) return 'cancelled';
  const failedContinuation = (n: FlowTreeNode): boolean =>
    (n.role === 'continuation' && n.status !== JobStatus.Completed) || n.children.some(failedContinuation);
  if (top.status !== JobStatus.Completed || failedContinuation(top) || fanOuts.some((f) => f.outcome === 'failed')) return 'failed';
  return 'completed';
}
