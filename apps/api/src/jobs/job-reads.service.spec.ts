import { randomBytes } from 'node:crypto';
import { DataCipher, JobStatus, JobTypeRegistry, QueueName, ResolvedJobOptions } from '@conveyor/contracts';
import { JobRecord, JobsRepository, newJobRecord } from '@conveyor/database';
import { Caller } from '@conveyor/http';
import { BullProbe, BullSighting } from '@conveyor/queueing';
import { JobReads } from './job-reads.service';

const JOB_ID = '0b7e6f0e-5c1d-4f7a-8d2e-3a9c1b2d4e5f';
const caller = { owner: { kind: 'user', id: 'alice' }, admin: false } as Caller;

/** The job's record as the producer writes it, then as the worker has moved it on (`set`). */
function record(status: JobStatus, set: Partial<JobRecord> = {}): JobRecord {
  const options: ResolvedJobOptions = {
    priority: 5,
    delayMs: 0,
    attempts: 3,
    timeoutMs: 60_000,
    backoff: { type: 'fixed', delayMs: 1_000 },
  };
  const accepted = newJobRecord({ jobId: JOB_ID, ownerKey: 'user:alice', type: 'http.request', queue: QueueName.Http, data: {}, options });
  return { ...accepted, status, ...set };
}

/**
 * A job read takes the record, then Bull's live state. A worker that ends an attempt in between
 * writes the outcome to the record first, then Bull moves the job: the read sees Bull's move, so it
 * must also see the outcome.
 */
describe(JobReads.name, () => {
  let stored: JobRecord;
  let recordReads = 0;
  let bullSide: () => BullSighting;

  const sut = new JobReads(
    { findOwned: async () => (recordReads++, { ...stored }) } as unknown as JobsRepository,
    { find: async () => bullSide() } as unknown as BullProbe,
    new DataCipher([{ id: 'k1', key: randomBytes(32) }]),
    { get: () => undefined } as unknown as JobTypeRegistry,
  );

  /** Bull's job as it is after the worker has written `after` to the record. */
  function attemptEndsBetweenReads(
    bull: { state: BullSighting['state']; attemptsMade: number; finishedOn?: number },
    after: JobRecord,
  ): void {
    bullSide = () => {
      stored = after;
      const job = { attemptsMade: bull.attemptsMade, progress: () => 0, failedReason: undefined, finishedOn: bull.finishedOn };
      return { job, state: bull.state } as unknown as BullSighting;
    };
  }

  it('shows the error and retry time of an attempt that failed between the record read and the live read', async () => {
    stored = record(JobStatus.Active);
    const runAt = new Date('2026-01-01T00:01:00Z');
    const error = { message: 'The circuit of places is open', code: 'CircuitOpenError' };
    attemptEndsBetweenReads({ state: 'delayed', attemptsMade: 1 }, record(JobStatus.Delayed, { attemptsMade: 1, error, runAt, seq: 2 }));

    const job = await sut.get(caller, JOB_ID);

    expect(job).toMatchObject({ conveyorStatus: JobStatus.Delayed, attemptsMade: 1, error, runAt: runAt.toISOString() });
  });

  it('shows the outcome of a job that settled between the two reads', async () => {
    stored = record(JobStatus.Active);
    const error = { message: 'boom', code: 'Error' };
    attemptEndsBetweenReads(
      { state: 'failed', attemptsMade: 1, finishedOn: Date.now() },
      record(JobStatus.Failed, { attemptsMade: 1, error }),
    );

    expect(await sut.get(caller, JOB_ID)).toMatchObject({ conveyorStatus: JobStatus.Failed, source: 'record', error });
  });

  it('reads the record once while Bull counts no attempt the record has not seen', async () => {
    stored = record(JobStatus.Waiting);
    bullSide = () =>
      ({
        job: { attemptsMade: 0, progress: () => ({ percent: 40, step: 'fetch' }) },
        state: 'active',
        locked: true,
      }) as unknown as BullSighting;
    recordReads = 0;

    expect(await sut.get(caller, JOB_ID)).toMatchObject({ conveyorStatus: JobStatus.Active, progress: { percent: 40, step: 'fetch' } });
    expect(recordReads).toBe(1);
  });
});
