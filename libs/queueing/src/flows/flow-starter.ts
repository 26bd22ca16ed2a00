import { Injectable } from '@nestjs/common';
import {
  DataCipher,
  FanOutRequest,
  MAX_FAN_OUT,
  StartedFanOut,
  flowChildId,
  flowContinuationId,
  ownerFromKey,
  validationFailed,
} from '@conveyor/contracts';
import { FanOut, FanOutsRepository, JobsRepository, fanOutId } from '@conveyor/database';
import { JobProducer } from '../job-producer.service';
import { FlowFanIn } from './flow-fan-in';

/**
 * Starts a running job's children (fan-out). The fan-out is recorded first, with every child's
 * id derived from the parent, step and key; then the children are enqueued. A redelivered or
 * retried parent repeating the step finds the recorded fan-out and enqueues only what is missing,
 * so no child is ever made twice. Children inherit the parent's owner and priority (unless set)
 * and belong to its flow.
 */
@Injectable()
export class FlowStarter {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
    private readonly producer: JobProducer,
    private readonly fanIn: FlowFanIn,
    private readonly cipher: DataCipher,
  ) {}

  async fanOut(parentId: string, step: string, request: FanOutRequest): Promise<StartedFanOut> {
    checkRequest(request);
    const parent = await this.jobs.findByIdUnscoped(parentId);
    if (!parent) throw new Error(`Job ${parentId} has no record; it cannot fan out`);
    const rootId = parent.flow?.rootId ?? parentId;
    const continuation = request.continuation;
    const continuationId = continuation ? flowContinuationId(parentId, step) : null;
    const fanOut = await this.fanOuts.claim({
      _id: fanOutId(parentId, step),
      parentId,
      rootId,
      step,
      ownerKey: parent.ownerKey,
      children: request.children.map(({ key }) => ({ key, jobId: flowChildId(parentId, step, key) })),
      continuation:
        continuation && continuationId
          ? {
              jobId: continuationId,
              type: continuation.type,
              data: this.cipher.sealNew(continuation.data, continuationId),
              priority: continuation.priority ?? parent.priority,
            }
          : null,
      onChildFailure: request.onChildFailure ?? 'continue',
      createdAt: new Date(),
      endedAt: null,
      outcome: null,
      reason: null,
    } satisfies FanOut);
    // Cancelled with its flow (the parent is being stopped too): nothing more is started.
    if (fanOut.outcome === 'cancelled') return { children: fanOut.children, continuationId: null };
    // What a previous execution recorded wins: the same ids, whatever this one computed.
    const specs = new Map(request.children.map((c) => [c.key, c]));
    const owner = ownerFromKey(parent.ownerKey);
    await this.producer.submitFlowJobs(
      fanOut.children
        .filter(({ key }) => specs.has(key))
        .map(({ key, jobId }) => {
          const spec = specs.get(key)!;
          return {
            owner,
            jobId,
            input: {
              type: spec.type,
              data: spec.data,
              options: { priority: spec.priority ?? parent.priority, ...(spec.attempts !== undefined ? { attempts: spec.attempts } : {}) },
            },
            flow: { rootId, parentId, step, role: 'child' as const, key },
          };
        }),
    );
    // With no children (or all ended before a redelivery), nothing else would start the continuation.
    await this.fanIn.check(fanOut);
    return { children: fanOut.children, continuationId: fanOut.continuation?.jobId ?? null };
  }
}

function checkRequest({ children }: FanOutRequest): void {
  const keys = new Set<string>();
  const problems: string[] = [];
  if (children.length > MAX_FAN_OUT) problems.push(`at most ${MAX_FAN_OUT} children per fan-out, not ${children.length}`);
  for (const { key } of children) {
    if (!/^[\w.:-]{1,200}$/.test(key)) problems.push(`child key "${key}" must be 1-200 characters of A-Z a-z 0-9 _ . : -`);
    if (keys.has(key)) problems.push(`child key "${key}" is used twice`);
    keys.add(key);
  }
  if (problems.length > 0) throw validationFailed(problems.map((message) => ({ field: 'children', message })));
}
