import { Inject, Injectable, Logger, forwardRef } from '@nestjs/common';
import {
  ConveyorError,
  DataCipher,
  ErrorCode,
  FanInChild,
  continuationOptions,
  JobStatus,
  isTerminal,
  ownerFromKey,
  errorField,
} from '@conveyor/contracts';
import { FanOut, FanOutsRepository, JobsRepository, fanOutId } from '@conveyor/database';
import { JobProducer } from '../job-producer.service';
import { RunRestart } from '../runs/run-restart';
import { FlowCancellation } from './flow-cancellation';
import { FlowEnds } from './flow-ends';

/**
 * The fan-in of flows: when a child ends (completed, failed for good or cancelled, whoever ended
 * it), its fan-out is looked at; once every child has ended, the continuation is started (its id
 * derives from the parent and step, so two children ending at once start it once) and the fan-out
 * ended, or, when a child failed and the policy is `fail`, the fan-out is ended failed and nothing
 * runs. Children are counted from their records' statuses, never from a counter: each counts once
 * however often its end is reported.
 */
@Injectable()
export class FlowFanIn {
  private readonly logger = new Logger(FlowFanIn.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
    private readonly producer: JobProducer,
    private readonly cipher: DataCipher,
    private readonly restart: RunRestart,
    // Imported in a cycle (cancelling settles runs, and settled runs feed the fan-in).
    @Inject(forwardRef(() => FlowCancellation)) private readonly cancellation: FlowCancellation,
    private readonly ends: FlowEnds,
  ) {}

  /**
   * After a job's run ended: a child's fan-out may start its continuation; then, for any job of a
   * flow (a root too: one that fanned out), its flow may have ended. Never rejects (the job's own
   * outcome is settled already; the sweep repeats the fan-in).
   */
  async jobEnded(jobId: string): Promise<void> {
    try {
      const record = await this.jobs.findByIdUnscoped(jobId);
      if (!record) return;
      if (record.flow?.role === 'child') {
        const fanOut = await this.fanOuts.find(fanOutId(record.flow.parentId, record.flow.step));
        if (fanOut) await this.check(fanOut);
      }
      this.ends.memberEnded(record.flow?.rootId ?? jobId);
    } catch (error) {
      this.logger.warn(errorField(error), `Fan-in after job ${jobId} not done now (the flow-fan-in sweep repeats it)`);
    }
  }

  /** Starts the fan-out's continuation (or fails it) if every child has ended; a no-op otherwise. */
  async check(given: FanOut): Promise<void> {
    // Read again: a cancel may have ended it since the caller read it.
    const fanOut = given.endedAt ? given : await this.fanOuts.find(given._id);
    if (!fanOut || fanOut.endedAt) return;
    const statuses = await this.jobs.statusesOf(fanOut.children.map((c) => c.jobId));
    // A child not recorded yet: its parent is still fanning out (or will again, on redelivery).
    if (statuses.length < fanOut.children.length || statuses.some((r) => !isTerminal(r.status))) return;
    const unsuccessful = statuses.filter((r) => r.status !== JobStatus.Completed);
    if (fanOut.onChildFailure === 'fail' && unsuccessful.length > 0) {
      const reason = unsuccessful.map((r) => `${keyOf(fanOut, r._id)} ${r.status}`).join(', ');
      await this.fanOuts.end(fanOut._id, 'failed', `children did not complete: ${reason}`);
      return;
    }
    const continuation = fanOut.continuation;
    if (!continuation) {
      await this.fanOuts.end(fanOut._id, 'no-continuation');
      return;
    }
    try {
      // A continuation a cancel stopped, or that failed, before its fan-out was retried: its next run.
      const earlier = await this.jobs.findByIdUnscoped(continuation.jobId);
      if (earlier && (earlier.status === JobStatus.Failed || earlier.status === JobStatus.Cancelled)) await this.restart.start(earlier);
      else
        await this.producer.submitFlowJobs([
          {
            owner: ownerFromKey(fanOut.ownerKey),
            jobId: continuation.jobId,
            input: {
              type: continuation.type,
              data: this.cipher.open(continuation.data, continuation.jobId),
              options: continuationOptions(continuation.priority, continuation.attempts),
            },
            flow: { rootId: fanOut.rootId, parentId: fanOut.parentId, step: fanOut.step, role: 'continuation', key: fanOut.step },
          },
        ]);
    } catch (error) {
      // Checked when the parent fanned out; refused now only if the catalog changed since, or the
      // continuation has used its runs: no retry mends that. Anything passing (the queue, a run
      // being started elsewhere) is left for the next fan-in or the sweep.
      if (
        error instanceof ConveyorError &&
        PERMANENT_REFUSALS.includes(error.code as ErrorCode) &&
        error.extras.retryAfterSeconds === undefined
      ) {
        await this.fanOuts.end(fanOut._id, 'failed', `continuation refused: ${error.message}`);
        return;
      }
      throw error;
    }
    if (await this.fanOuts.end(fanOut._id, 'continued')) return;
    // Ended meanwhile: by another fan-in (two children ended at once: nothing to do), or cancelled
    // between the read above and now: then the continuation just started goes too.
    if ((await this.fanOuts.find(fanOut._id))?.outcome !== 'cancelled') return;
    const started = await this.jobs.findByIdUnscoped(continuation.jobId);
    if (started) await this.cancellation.cancelJob(started);
  }

  /** The children of the fan-out a continuation follows, with their outcomes (results opened). */
  async childrenOf(continuationId: string): Promise<FanInChild[]> {
    const record = await this.jobs.findByIdUnscoped(continuationId);
    if (record?.flow?.role !== 'continuation') return [];
    const fanOut = await this.fanOuts.find(fanOutId(record.flow.parentId, record.flow.step));
    if (!fanOut) return [];
    const records = new Map((await this.jobs.findManyUnscoped(fanOut.children.map((c) => c.jobId))).map((r) => [r._id, r]));
    return fanOut.children.map(({ key, jobId }) => {
      const child = records.get(jobId);
      return {
        key,
        jobId,
        type: child?.type ?? 'unknown',
        status: child?.status ?? JobStatus.Failed,
        result: child?.status === JobStatus.Completed ? this.cipher.open(child.result, jobId) : null,
        error: child?.error ? { message: child.error.message, code: child.error.code } : null,
      };
    });
  }
}

const PERMANENT_REFUSALS: readonly ErrorCode[] = [ErrorCode.ValidationFailed, ErrorCode.UnknownJobType, ErrorCode.InvalidJobState];

function keyOf(fanOut: FanOut, jobId: string): string {
  return fanOut.children.find((c) => c.jobId === jobId)?.key ?? jobId;
}
