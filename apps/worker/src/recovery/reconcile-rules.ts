import { JobStatus } from '@conveyor/contracts';
import { TransitionFields, UnsettledRecord } from '@conveyor/database';
import { QueueFailureCode, queueFailure, type SettledStatus } from '@conveyor/queueing';

/** Error codes the sweep records on jobs it fails (the `error.code` of the job, not an API error_code). */
export enum ReconcileErrorCode {
  /** The record said waiting, delayed or active but Bull had no such job (or only an earlier run's). */
  MissingFromQueue = 'MISSING_FROM_QUEUE',
}

/** What the sweep fixed, one counter each. */
export enum ReconcileFix {
  Stalled = 'stalled',
  MissingFromQueue = 'missing-from-queue',
  Restored = 'restored',
  CancelRequested = 'cancel-requested',
  CompletedInQueue = 'completed-in-queue',
  FailedInQueue = 'failed-in-queue',
}

/** Bull's side of one job, as the sweep saw it. */
export interface QueueSide {
  /** Bull's state; null when Bull has no job with this id, or only one of an earlier run. */
  state: 'completed' | 'failed' | 'active' | 'waiting' | 'delayed' | 'paused' | 'stuck' | null;
  /** The run in the Bull job's envelope. */
  run?: number;
  attemptsMade?: number;
  failedReason?: string;
  /** Bull's stack traces, oldest first. */
  stacktrace?: string[];
  returnvalue?: unknown;
  /** ms since the epoch. */
  finishedOn?: number;
  processedOn?: number;
  /** Active only: whether a worker's lock on the job is live. */
  locked?: boolean;
  /** Whether a client's cancel request for the job is pending. */
  cancelRequested: boolean;
}

export type Verdict =
  | { action: 'leave' }
  /** Redis lost the job with its data: enqueue the record's run again, as it was. */
  | { action: 'restore'; note: string }
  /** Active in Bull with no live lock for too long: Bull's stalled checker will move it; only logged. */
  | { action: 'watch'; note: string }
  | { action: 'settle'; fix: ReconcileFix; status: SettledStatus; set: TransitionFields; note: string };

export interface ReconcileContext {
  now: Date;
  /** How long a job may be active without a lock before it is worth a log line. */
  stallThresholdMs: number;
  /** Set while restoring after Redis lost its data (RedisEpoch): records written before it are restored. */
  restoreBefore?: Date | null;
  /**
   * A restore waits this long past the loss before enqueueing anything: a pickup's `active` write
   * still buffered when Redis lost the job must land first, or the run would be restored and run twice.
   */
  restoreSettleMs?: number;
}

const STACK_LINES = 8;

/**
 * What the reconciliation sweep does about one record that says waiting, delayed or active,
 * given Bull's side of the same job. Pure: the sweeper reads both sides and applies the verdict
 * with a guarded transition at the run's closing seq, so a worker's later write of the same run
 * cannot overtake it and any write it lost the race to wins.
 *
 * - No Bull job (or only an earlier run's): nobody will ever run or settle this run. Cancelled
 *   if a cancel request is pending; enqueued again if it was waiting or delayed when Redis lost
 *   its data, or if it is a flow's job a fan-out recorded but never enqueued (a restore); else
 *   failed with MISSING_FROM_QUEUE.
 * - Bull completed or failed, the record not: the worker's outcome write was lost, or Bull failed
 *   the job itself past the stall limit (STALLED). Settled from Bull.
 * - Active without a lock past the threshold: Bull's stalled checker moves it; logged only.
 * - Anything else (waiting, delayed, paused, active with a lock, or a later run's job) is normal.
 */
export function reconcile(
  record: UnsettledRecord,
  bull: QueueSide,
  { now, stallThresholdMs, restoreBefore, restoreSettleMs = 0 }: ReconcileContext,
): Verdict {
  const run = record.run ?? 1;
  if (bull.state === null || (bull.run ?? 1) < run) {
    if (bull.cancelRequested) {
      return settle(ReconcileFix.CancelRequested, JobStatus.Cancelled, { finishedAt: now }, 'not in the queue, with a cancel request');
    }
    // Never started (an active run may still be running somewhere, or have done its work): only
    // waiting and delayed runs are safe to enqueue again without running anything twice.
    const queued = record.status === JobStatus.Waiting || record.status === JobStatus.Delayed;
    if (queued && bull.state === null && restoreBefore && record.updatedAt < restoreBefore) {
      if (now.getTime() < restoreBefore.getTime() + restoreSettleMs) return { action: 'leave' };
      return { action: 'restore', note: 'lost with Redis data; enqueued again from its record' };
    }
    // A flow's child is recorded before it is enqueued: a parent whose worker died in between left
    // it (the sweeper restores it only while its fan-out is open; a continuation is the fan-in's).
    if (queued && bull.state === null && record.flow?.role === 'child') {
      return { action: 'restore', note: 'recorded by a fan-out that never enqueued it; enqueued again from its record' };
    }
    return settle(
      ReconcileFix.MissingFromQueue,
      JobStatus.Failed,
      {
        error: {
          message: `The job was ${record.status} in its record but no longer in queue ${record.queue}; recorded failed by the reconciliation sweep`,
          code: ReconcileErrorCode.MissingFromQueue,
        },
        finishedAt: now,
      },
      'not in the queue',
    );
  }
  if ((bull.run ?? 1) > run) return { action: 'leave' };
  const finishedAt = bull.finishedOn ? new Date(bull.finishedOn) : now;
  switch (bull.state) {
    case 'completed':
      // Bull counts failed attempts only; the attempt that completed is one more.
      return settle(
        ReconcileFix.CompletedInQueue,
        JobStatus.Completed,
        {
          result: bull.returnvalue ?? null,
          error: null,
          attemptsMade: (bull.attemptsMade ?? record.attemptsMade) + 1,
          progress: { percent: 100, step: null },
          finishedAt,
        },
        'completed in the queue',
      );
    case 'failed': {
      if (bull.cancelRequested) {
        return settle(
          ReconcileFix.CancelRequested,
          JobStatus.Cancelled,
          { attemptsMade: bull.attemptsMade ?? record.attemptsMade, finishedAt },
          'failed in the queue, with a cancel request',
        );
      }
      const failure = queueFailure(bull.failedReason);
      const stalled = failure.code === QueueFailureCode.Stalled;
      // Bull does not count a stalled attempt as made; the attempt that stalled did end, though.
      const attemptsMade = (bull.attemptsMade ?? record.attemptsMade) + (stalled ? 1 : 0);
      const stack = bull.stacktrace?.at(-1)?.split('\n').slice(0, STACK_LINES).join('\n');
      return settle(
        stalled ? ReconcileFix.Stalled : ReconcileFix.FailedInQueue,
        JobStatus.Failed,
        {
          error: { ...failure, ...(stack ? { stack } : {}) },
          attemptsMade,
          finishedAt,
        },
        stalled ? 'stalled past the limit in the queue' : 'failed in the queue',
      );
    }
    case 'active': {
      const activeMs = bull.processedOn ? now.getTime() - bull.processedOn : 0;
      if (!bull.locked && activeMs > stallThresholdMs) {
        return { action: 'watch', note: `active for ${Math.round(activeMs / 1000)} s without a lock` };
      }
      return { action: 'leave' };
    }
    default:
      return { action: 'leave' };
  }
}

function settle(fix: ReconcileFix, status: SettledStatus, set: TransitionFields, note: string): Verdict {
  return { action: 'settle', fix, status, set, note };
}
