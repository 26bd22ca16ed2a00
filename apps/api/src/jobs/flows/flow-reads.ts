import { Injectable } from '@nestjs/common';
import { FlowTree, FlowTreeNode, flowStatus, flowTree } from '@conveyor/contracts';
import { FanOut, FanOutsRepository, FlowMemberRecord, JobsRepository, flowMemberOf } from '@conveyor/database';
import { JobResponse } from '../dto/job.response';
import { FlowProgressResponse } from './job-flow.response';

/** The flow under one job, as read from the records of its flow and their fan-outs. */
export interface FlowView {
  built: FlowTree;
  /** Fan-outs of jobs in the view. */
  fanOuts: FanOut[];
  summary: FlowProgressResponse;
}

/**
 * Reads the flow under a job (the tree route, and the job read of a job that fanned out). The
 * caller has checked that the job is the caller's: the jobs under it share its owner.
 */
@Injectable()
export class FlowReads {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
  ) {}

  /** The summary of the flow under a job the caller may read; undefined when it never fanned out (one indexed read). */
  async summaryUnder(jobId: string): Promise<FlowProgressResponse | undefined> {
    if ((await this.fanOuts.ofParent(jobId)).length === 0) return undefined;
    const record = await this.jobs.findByIdUnscoped(jobId);
    return record ? (await this.view(record)).summary : undefined;
  }

  /**
   * A job view with the flow under the job when it fanned out (the job read and its event stream).
   * The flow is read only once the view was: a caller refused the view costs no flow read.
   */
  async withFlow(jobId: string, view: Promise<JobResponse>): Promise<JobResponse> {
    const job = await view;
    const flow = await this.summaryUnder(jobId);
    return flow ? { ...job, flow } : job;
  }

  async view(record: FlowMemberRecord): Promise<FlowView> {
    const rootId = record.flow?.rootId ?? record._id;
    const [root, descendants, fanOuts] = await Promise.all([
      rootId === record._id ? record : this.jobs.findByIdUnscoped(rootId),
      this.jobs.flowDescendants(rootId),
      this.fanOuts.ofFlow(rootId),
    ]);
    const order = new Map(fanOuts.flatMap((f) => f.children.map((c, i) => [c.jobId, i] as const)));
    const members = [...(root ? [root] : []), ...descendants].map((r) => ({ ...flowMemberOf(r), order: order.get(r._id) }));
    const built = flowTree(record._id, members.some((m) => m.jobId === record._id) ? members : [flowMemberOf(record), ...members])!;
    const inView = new Set<string>();
    const collect = (n: FlowTreeNode) => (inView.add(n.jobId), n.children.forEach(collect));
    collect(built.tree);
    const own = fanOuts.filter((f) => inView.has(f.parentId));
    return {
      built,
      fanOuts: own,
      summary: {
        status: flowStatus(built.tree, built.finished, own),
        counts: built.counts as Record<string, number>,
        total: built.total,
        progress: built.progress,
      },
    };
  }
}
