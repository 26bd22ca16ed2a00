import { Inject, Injectable } from '@nestjs/common';
import { FlowTreeNode, JobStatus, JobTypeRegistry, flowTree } from '@conveyor/contracts';
import { FanOut, FanOutsRepository, FlowMemberRecord, JobsRepository } from '@conveyor/database';
import { Caller } from '@conveyor/http';
import { JOB_TYPE_REGISTRY } from '@conveyor/queueing';
import { JobReads } from '../job-reads.service';
import { FlowNodeResponse, JobFlowResponse } from './job-flow.response';

/** Reads a job's flow: the tree of the jobs its fan-outs started, at any depth. */
@Injectable()
export class JobFlows {
  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly reads: JobReads,
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
  ) {}

  /** 404 unless the caller owns the job (or is an admin); the jobs under it share its owner. */
  async tree(caller: Caller, jobId: string): Promise<JobFlowResponse> {
    const record = await this.reads.findRecord(caller, jobId);
    const rootId = record.flow?.rootId ?? record._id;
    const [root, descendants, fanOuts] = await Promise.all([
      rootId === record._id ? record : this.jobs.findByIdUnscoped(rootId),
      this.jobs.flowDescendants(rootId),
      this.fanOuts.ofFlow(rootId),
    ]);
    const order = new Map(fanOuts.flatMap((f) => f.children.map((c, i) => [c.jobId, i] as const)));
    const members = [...(root ? [root] : []), ...descendants].map((r) => ({ ...toMember(r), order: order.get(r._id) }));
    const built = flowTree(jobId, members.some((m) => m.jobId === jobId) ? members : [toMember(record), ...members])!;
    const inView = new Set<string>();
    const collect = (n: FlowTreeNode) => (inView.add(n.jobId), n.children.forEach(collect));
    collect(built.tree);
    const ownFanOuts = fanOuts.filter((f) => inView.has(f.parentId));
    return {
      ...this.node(built.tree),
      flow: {
        status: flowStatus(built.tree, built.finished, ownFanOuts),
        counts: built.counts as Record<string, number>,
        total: built.total,
        progress: built.progress,
        fanOuts: ownFanOuts.map((f) => ({
          parentId: f.parentId,
          step: f.step,
          children: f.children.length,
          policy: f.onChildFailure === 'fail' ? 'child-failure-fails' : 'child-failure-continues',
          outcome: f.outcome,
          reason: f.reason,
        })),
      },
    };
  }

  private node(n: FlowTreeNode): FlowNodeResponse {
    return {
      jobId: n.jobId,
      type: n.type,
      queue: n.queue,
      status: this.registry.statusWord(n.type, n.status),
      conveyorStatus: n.status,
      progress: n.progress,
      role: n.role,
      key: n.key,
      children: n.children.map((c) => this.node(c)),
    };
  }
}

function toMember(r: FlowMemberRecord) {
  return {
    jobId: r._id,
    type: r.type,
    queue: r.queue,
    status: r.status,
    percent: r.progress?.percent ?? 0,
    flow: r.flow ?? null,
    createdAt: r.createdAt,
  };
}

/**
 * The flow's word: running until every job has ended; then cancelled if its top job or a fan-out was, failed if
 * the top job, a continuation or a fan-out with the `fail` policy failed; else completed. A child
 * that failed under `continue` does not fail the flow.
 */
function flowStatus(top: FlowTreeNode, finished: boolean, fanOuts: FanOut[]): string {
  // A fan-out not ended yet may still start its continuation.
  if (!finished || fanOuts.some((f) => !f.endedAt)) return 'running';
  if (top.status === JobStatus.Cancelled || fanOuts.some((f) => f.outcome === 'cancelled')) return 'cancelled';
  const failedContinuation = (n: FlowTreeNode): boolean =>
    (n.role === 'continuation' && n.status !== JobStatus.Completed) || n.children.some(failedContinuation);
  if (top.status !== JobStatus.Completed || failedContinuation(top) || fanOuts.some((f) => f.outcome === 'failed')) return 'failed';
  return 'completed';
}
