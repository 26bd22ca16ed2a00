import { Injectable } from '@nestjs/common';
import {
  DataCipher,
  FanOutRequest,
  MAX_FAN_OUT,
  continuationOptions,
  StartedFanOut,
  flowChildId,
  flowContinuationId,
  ownerFromKey,
  validationFailed,
} from '@conveyor/contracts';
import { FanOut, FanOutsRepository, JobsRepository, fanOutId } from '@conveyor/database';
import { JobControl } from '../job-control.service';
import { FlowSubmission, JobProducer } from '../job-producer.service';
import { FlowCancellation } from './flow-cancellation';
import { FlowFanIn } from './flow-fan-in';

/**
 * Starts a running job's children (fan-out). Everything is checked first (each child and the
 * continuation as a submission of its type), so a mistake fails the parent before anything is
 * written. Then the fan-out is recorded, with every child's id derived from the parent, step and
 * key, and the children are enqueued. A redelivered parent repeating the step finds the recorded
 * fan-out and enqueues only what never started, so no child is ever made twice. Children inherit
 * the parent's owner and priority (unless set) and belong to its flow.
 */
@Injectable()
export class FlowStarter {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
    private readonly producer: JobProducer,
    private readonly fanIn: FlowFanIn,
    private readonly cancellation: FlowCancellation,
    private readonly control: JobControl,
    private readonly cipher: DataCipher,
  ) {}

  async fanOut(parentId: string, step: string, request: FanOutRequest): Promise<StartedFanOut> {
    checkKeys(request);
    const parent = await this.jobs.findByIdUnscoped(parentId);
    if (!parent) throw new Error(`Job ${parentId} has no record; it cannot fan out`);
    const rootId = parent.flow?.rootId ?? parentId;
    const owner = ownerFromKey(parent.ownerKey);
    const children: FlowSubmission[] = request.children.map((spec) => ({
      owner,
      jobId: flowChildId(parentId, step, spec.key),
      input: {
        type: spec.type,
        data: spec.data,
        options: { priority: spec.priority ?? parent.priority, ...(spec.attempts !== undefined ? { attempts: spec.attempts } : {}) },
      },
      flow: { rootId, parentId, step, role: 'child', key: spec.key },
    }));
    const continuation = request.continuation;
    const continuationId = continuation ? flowContinuationId(parentId, step) : null;
    const continuationPriority = continuation?.priority ?? parent.priority;
    // Every child, and the continuation, checked before anything is written; the continuation
    // now, not when its children end: by then nobody could mend it.
    const prepared = await this.producer.prepareFlowJobs(children);
    if (continuation) {
      await this.producer.prepare(
        owner,
        { type: continuation.type, data: continuation.data, options: continuationOptions(continuationPriority, continuation.attempts) },
        'product',
      );
    }
    const fanOut = await this.fanOuts.claim({
      _id: fanOutId(parentId, step),
      parentId,
      rootId,
      step,
      ownerKey: parent.ownerKey,
      children: children.map((c) => ({ key: c.flow.key, jobId: c.jobId })),
      continuation:
        continuation && continuationId
          ? {
              jobId: continuationId,
              type: continuation.type,
              data: this.cipher.sealNew(continuation.data, continuationId),
              priority: continuationPriority,
              ...(continuation.attempts !== undefined ? { attempts: continuation.attempts } : {}),
            }
          : null,
      onChildFailure: request.onChildFailure ?? 'continue',
      createdAt: new Date(),
      endedAt: null,
      outcome: null,
      reason: null,
    } satisfies FanOut);
    const recorded = new Set(fanOut.children.map((c) => c.key));
    if (recorded.size !== children.length || children.some((c) => !recorded.has(c.flow.key))) {
      throw validationFailed([
        {
          field: 'children',
          message: `step ${step} of job ${parentId} already fanned out to other children (${recorded.size}); a step fans out once, to the same keys`,
        },
      ]);
    }
    const started = { children: fanOut.children, continuationId: fanOut.continuation?.jobId ?? null };
    // Cancelled with its flow already: nothing more is started (the parent is being stopped too).
    if (fanOut.outcome === 'cancelled') return started;
    await this.producer.enqueueFlowJobs(prepared);
    // The parent (or its flow) was cancelled while it fanned out: what it just started goes too.
    const now = await this.fanOuts.find(fanOut._id);
    if (now?.outcome === 'cancelled' || (await this.control.isCancelRequested(parent.queue, parentId))) {
      await this.cancellation.cancelUnder(parent);
      return started;
    }
    // With no children (or all ended before a redelivery), nothing else would start the continuation.
    await this.fanIn.check(fanOut);
    return started;
  }
}

function checkKeys({ children }: FanOutRequest): void {
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
