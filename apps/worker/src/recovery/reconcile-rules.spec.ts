import { JobStatus } from '@conveyor/contracts';
import { UnsettledRecord } from '@conveyor/database';
import { BULL_STALLED_REASON, QueueFailureCode } from '@conveyor/queueing';
import { QueueSide, ReconcileErrorCode, ReconcileFix, reconcile } from './reconcile-rules';

const now = new Date('2030-01-01T00:00:00Z');
const context = { now, stallThresholdMs: 4_000 };

const record = (overrides: Partial<UnsettledRecord> = {}): UnsettledRecord => ({
  _id: 'job-1',
  ownerKey: 'user:alice',
  type: 'http.request',
  queue: 'http',
  status: JobStatus.Active,
  seq: 5,
  run: 1,
  attemptsMade: 0,
  progress: { percent: 40, step: 'send-request' },
  callback: null,
  updatedAt: new Date(now.getTime() - 60_000),
  ...overrides,
});
const bull = (overrides: Partial<QueueSide>): QueueSide => ({
  state: 'active',
  run: 1,
  attemptsMade: 0,
  cancelRequested: false,
  ...overrides,
});

describe(reconcile.name, () => {
  it('fails a record whose job is no longer in the queue', () => {
    const verdict = reconcile(record({ status: JobStatus.Waiting }), bull({ state: null }), context);
    expect(verdict).toMatchObject({
      action: 'settle',
      fix: ReconcileFix.MissingFromQueue,
      status: JobStatus.Failed,
      set: { error: { code: ReconcileErrorCode.MissingFromQueue }, finishedAt: now },
    });
  });

  it("enqueues again a flow's waiting child its fan-out recorded but never enqueued; an active one, or a continuation, still fails", () => {
    const flow = { rootId: 'root', parentId: 'root', step: 's', role: 'child' as const, key: 'a' };
    expect(
      reconcile(record({ status: JobStatus.Waiting, flow: { ...flow, role: 'continuation' } }), bull({ state: null }), context),
    ).toMatchObject({
      fix: ReconcileFix.MissingFromQueue,
    });
    expect(reconcile(record({ status: JobStatus.Waiting, flow }), bull({ state: null }), context)).toMatchObject({ action: 'restore' });
    expect(reconcile(record({ status: JobStatus.Active, flow }), bull({ state: null }), context)).toMatchObject({
      action: 'settle',
      fix: ReconcileFix.MissingFromQueue,
    });
    // A cancel request still wins.
    expect(reconcile(record({ status: JobStatus.Waiting, flow }), bull({ state: null, cancelRequested: true }), context)).toMatchObject({
      fix: ReconcileFix.CancelRequested,
    });
  });

  describe('after Redis lost its data (restoreBefore set)', () => {
    const restoring = { ...context, restoreBefore: new Date(now.getTime() - 1_000) };

    it.each([JobStatus.Waiting, JobStatus.Delayed])('enqueues a %s record written before the loss again', (status) => {
      expect(reconcile(record({ status }), bull({ state: null }), restoring)).toMatchObject({ action: 'restore' });
    });

    it('still fails an active record (its run may have done its work) and one written after the loss', () => {
      expect(reconcile(record(), bull({ state: null }), restoring)).toMatchObject({ fix: ReconcileFix.MissingFromQueue });
      const later = record({ status: JobStatus.Waiting, updatedAt: now });
      expect(reconcile(later, bull({ state: null }), restoring)).toMatchObject({ fix: ReconcileFix.MissingFromQueue });
    });

    it('waits for writes in flight at the loss to land before restoring anything', () => {
      const settling = { ...restoring, restoreSettleMs: 5_000 };
      expect(reconcile(record({ status: JobStatus.Waiting }), bull({ state: null }), settling)).toEqual({ action: 'leave' });
    });

    it('cancels a lost record with a pending cancel request instead', () => {
      const verdict = reconcile(record({ status: JobStatus.Waiting }), bull({ state: null, cancelRequested: true }), restoring);
      expect(verdict).toMatchObject({ fix: ReconcileFix.CancelRequested });
    });
  });

  it('cancels instead when a cancel request is pending', () => {
    expect(reconcile(record(), bull({ state: null, cancelRequested: true }), context)).toMatchObject({
      action: 'settle',
      fix: ReconcileFix.CancelRequested,
      status: JobStatus.Cancelled,
    });
  });

  it('treats an earlier run’s leftover Bull job as missing, and leaves a later run’s job alone', () => {
    expect(reconcile(record({ run: 2 }), bull({ state: 'failed', run: 1 }), context)).toMatchObject({ fix: ReconcileFix.MissingFromQueue });
    expect(reconcile(record({ run: 1 }), bull({ state: 'failed', run: 2 }), context)).toEqual({ action: 'leave' });
  });

  it('settles a completed job from Bull: result, attempts (Bull counts only failed ones) and finish time', () => {
    const verdict = reconcile(
      record(),
      bull({ state: 'completed', attemptsMade: 0, returnvalue: { statusCode: 200 }, finishedOn: 1_000 }),
      context,
    );
    expect(verdict).toEqual({
      action: 'settle',
      fix: ReconcileFix.CompletedInQueue,
      status: JobStatus.Completed,
      set: {
        result: { statusCode: 200 },
        error: null,
        attemptsMade: 1,
        progress: { percent: 100, step: null },
        finishedAt: new Date(1_000),
      },
      note: 'completed in the queue',
    });
  });

  it('records a job Bull failed past the stall limit as STALLED, counting the attempt that stalled', () => {
    const verdict = reconcile(record(), bull({ state: 'failed', failedReason: BULL_STALLED_REASON, attemptsMade: 0 }), context);
    expect(verdict).toMatchObject({
      action: 'settle',
      fix: ReconcileFix.Stalled,
      status: JobStatus.Failed,
      set: { error: { message: BULL_STALLED_REASON, code: QueueFailureCode.Stalled }, attemptsMade: 1 },
    });
  });

  it('settles any other failure from Bull with its reason and the last stack’s first lines', () => {
    const stack = ['Error: old', ['Error: boom', ...Array.from({ length: 20 }, (_, i) => `    at frame${i}`)].join('\n')];
    const verdict = reconcile(record(), bull({ state: 'failed', failedReason: 'boom', attemptsMade: 3, stacktrace: stack }), context);
    expect(verdict).toMatchObject({
      fix: ReconcileFix.FailedInQueue,
      set: { error: { message: 'boom', code: 'FAILED_IN_QUEUE' }, attemptsMade: 3 },
    });
    const error = (verdict as { set: { error: { stack: string } } }).set.error;
    expect(error.stack.split('\n')).toHaveLength(8);
    expect(error.stack.startsWith('Error: boom')).toBe(true);
  });

  it('cancels a job Bull failed while a cancel request was pending', () => {
    expect(reconcile(record(), bull({ state: 'failed', failedReason: 'Cancelled', cancelRequested: true }), context)).toMatchObject({
      status: JobStatus.Cancelled,
    });
  });

  it('only watches an active job without a lock past the threshold; Bull’s stalled checker moves it', () => {
    const processedOn = now.getTime() - 10_000;
    expect(reconcile(record(), bull({ state: 'active', locked: false, processedOn }), context)).toMatchObject({ action: 'watch' });
    expect(reconcile(record(), bull({ state: 'active', locked: true, processedOn }), context)).toEqual({ action: 'leave' });
    expect(reconcile(record(), bull({ state: 'active', locked: false, processedOn: now.getTime() - 1_000 }), context)).toEqual({
      action: 'leave',
    });
  });

  it('leaves records whose job is still queued or running normally', () => {
    for (const state of ['waiting', 'delayed', 'paused'] as const) {
      for (const status of [JobStatus.Waiting, JobStatus.Delayed, JobStatus.Active]) {
        expect(reconcile(record({ status }), bull({ state }), context)).toEqual({ action: 'leave' });
      }
    }
  });
});
