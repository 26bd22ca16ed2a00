import { JobStatus } from '@conveyor/contracts';
import { Caller } from '@conveyor/http';
import { jobView } from '../dto/job-response.fixture';
import { JobReads } from '../job-reads.service';
import { JobEventHub, JobSignalListener } from './job-event-hub';
import { JobOutcomeWaiter } from './job-outcome-waiter';
import { POLL_INTERVAL_MS } from './job-event-stream.service';

const JOB_ID = '6f1c2f0e-2a7a-4a4e-9a53-5d2b0a1e7c11';
const caller = { owner: { kind: 'user', id: 'alice' }, admin: false } as Caller;

const view = (status: JobStatus) => jobView(JOB_ID, status, { maxAttempts: 1, source: 'record' });

describe(JobOutcomeWaiter.name, () => {
  let status: JobStatus;
  let reads: number;
  let listener: JobSignalListener | undefined;
  let unsubscribed: boolean;
  let sut: JobOutcomeWaiter;
  let jobs: { get: (...args: unknown[]) => Promise<ReturnType<typeof view>> };

  beforeEach(() => {
    jest.useFakeTimers();
    status = JobStatus.Active;
    reads = 0;
    listener = undefined;
    unsubscribed = false;
    jobs = { get: async () => (reads++, view(status)) };
    const hub = {
      subscribe: async (_jobId: string, l: JobSignalListener) => {
        listener = l;
        return () => (unsubscribed = true);
      },
    } as unknown as JobEventHub;
    sut = new JobOutcomeWaiter(jobs as unknown as JobReads, hub);
  });

  afterEach(() => jest.useRealTimers());

  /** Lets the waiter's awaits run without moving the clock. */
  const settle = () => jest.advanceTimersByTimeAsync(0);

  it('answers as soon as Bull signals a change, without waiting for its poll', async () => {
    const waiting = sut.wait(caller, JOB_ID, 10);
    await settle();
    expect(reads).toBe(1);
    status = JobStatus.Completed;
    listener!({ kind: 'changed' });
    await settle();
    await expect(waiting).resolves.toMatchObject({ status: JobStatus.Completed });
    expect(reads).toBe(2);
    expect(unsubscribed).toBe(true);
  });

  it('reads again at once when the job changed while it was being read', async () => {
    jobs.get = async () => {
      reads++;
      if (reads === 1) {
        listener!({ kind: 'changed' }); // Bull announces the outcome while the first read is under way
        const seen = view(status);
        status = JobStatus.Completed;
        return seen;
      }
      return view(status);
    };
    const waiting = sut.wait(caller, JOB_ID, 10);
    await settle();
    await expect(waiting).resolves.toMatchObject({ status: JobStatus.Completed });
    expect(reads).toBe(2);
  });

  it('ignores progress signals, and still sees a change Bull never announces by its poll', async () => {
    const waiting = sut.wait(caller, JOB_ID, 10);
    await settle();
    listener!({ kind: 'progress', progress: { percent: 50, step: 'x' } });
    await settle();
    expect(reads).toBe(1);
    status = JobStatus.Cancelled; // cancelled by another request: no Bull event
    await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    await expect(waiting).resolves.toMatchObject({ status: JobStatus.Cancelled });
  });

  it('gives up at the deadline, or at once when the client goes away', async () => {
    const late = sut.wait(caller, JOB_ID, 2);
    await jest.advanceTimersByTimeAsync(2_000);
    await expect(late).resolves.toBeUndefined();

    const gone = new AbortController();
    const waiting = sut.wait(caller, JOB_ID, 10, gone.signal);
    await settle();
    gone.abort();
    await settle();
    await expect(waiting).resolves.toBeUndefined();
    expect(unsubscribed).toBe(true);
  });
});
