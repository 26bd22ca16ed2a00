import { Inject, Injectable } from '@nestjs/common';
import { FlowTreeNode, JobTypeRegistry } from '@conveyor/contracts';
import { Caller } from '@conveyor/http';
import { JOB_TYPE_REGISTRY } from '@conveyor/queueing';
import { JobReads } from '../job-reads.service';
import { FlowReads } from './flow-reads';
import { FlowNodeResponse, JobFlowResponse } from './job-flow.response';

/** Reads a job's flow: the tree of the jobs its fan-outs started, at any depth. */
@Injectable()
export class JobFlows {
  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly reads: JobReads,
    private readonly flows: FlowReads,
  ) {}

  /** 404 unless the caller owns the job (or is an admin); the jobs under it share its owner. */
  async tree(caller: Caller, jobId: string): Promise<JobFlowResponse> {
    const { built, fanOuts, summary } = await this.flows.view(await this.reads.findRecord(caller, jobId));
    return {
      ...this.node(built.tree),
      flow: {
        ...summary,
        fanOuts: fanOuts.map((f) => ({
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
