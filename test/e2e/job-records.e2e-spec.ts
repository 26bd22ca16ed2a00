import { JobStatus, TransitionPhase, transitionSeq } from '@conveyor/contracts';
import { JobsRepository, newJobRecord } from '@conveyor/database';
import { randomUUID } from 'node:crypto';
import { Conveyor } from '../support/conveyor';

/** The transition guard as MongoDB (here FerretDB) applies it: records never move backwards. */
describe('Job records on the Mongo-wire server', () => {
  let conveyor: Conveyor;
  let jobs: JobsRepository;

  beforeAll(async () => {
    conveyor = await Conveyor.start({ workers: 0 });
    jobs = conveyor.app.get(JobsRepository);
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  function record(jobId: string, owner = 'user:r', data: object = { url: 'http://example.com/', method: 'GET' }) {
    return newJobRecord({
      jobId,
      ownerKey: owner,
      type: 'http.request',
      queue: 'http',
      data,
      options: { priority: 5, delayMs: 0, attempts: 3, timeoutMs: 1000, backoff: { type: 'fixed', delayMs: 10 } },
    });
  }

  async function newRecord(owner = 'user:r'): Promise<string> {
    const jobId = randomUUID();
    await jobs.insert(record(jobId, owner));
    return jobId;
  }

  it('inserts concurrent records together, and a refused one fails alone', async () => {
    const existing = await newRecord();
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const outcomes = await Promise.allSettled([
      ...ids.map((id) => jobs.insert(record(id))),
      jobs.insert(record(existing)), // a duplicate id: refused by the server
      jobs.insert(record(randomUUID(), 'user:r', { body: { 'a\u0000b': 1 } })), // no document can hold this key
      ...ids.map((id) => jobs.insert(record(`${id}-2`))),
      // PostgreSQL (under FerretDB) refuses this value after storing part of the batch; MongoDB stores it.
      jobs.insert(record(randomUUID(), 'user:r', { note: 'a\u0000b' })),
      ...ids.map((id) => jobs.insert(record(`${id}-3`))),
    ]);
    const statuses = outcomes.map((o) => o.status);
    expect(statuses.slice(0, 14)).toEqual([...ids.map(() => 'fulfilled'), 'rejected', 'rejected', ...ids.map(() => 'fulfilled')]);
    expect(statuses.slice(15)).toEqual(ids.map(() => 'fulfilled'));
    expect((outcomes[6] as PromiseRejectedResult).reason).toMatchObject({ code: 11000 });
    for (const id of [...ids, ...ids.map((i) => `${i}-2`), ...ids.map((i) => `${i}-3`)]) {
      expect(await jobs.findByIdUnscoped(id)).toMatchObject({ _id: id });
    }
  });

  const seq = transitionSeq;
  const { Queued, Running, Settled } = TransitionPhase;

  it('applies transitions in order and ignores a late "active" after completion', async () => {
    const id = await newRecord();
    expect(await jobs.transition({ jobId: id, seq: seq(1, Running), status: JobStatus.Active })).toBe(true);
    expect(await jobs.transition({ jobId: id, seq: seq(1, Settled), status: JobStatus.Completed, set: { result: { ok: 1 } } })).toBe(true);
    expect(await jobs.transition({ jobId: id, seq: seq(1, Running), status: JobStatus.Active })).toBe(false);
    expect(await jobs.findByIdUnscoped(id)).toMatchObject({ status: JobStatus.Completed, result: { ok: 1 }, seq: seq(1, Settled) });
  });

  it('never leaves a terminal state, even for a later attempt', async () => {
    const id = await newRecord();
    await jobs.transition({ jobId: id, seq: seq(1, Settled), status: JobStatus.Failed });
    expect(await jobs.transition({ jobId: id, seq: seq(2, Running), status: JobStatus.Active })).toBe(false);
    expect((await jobs.findByIdUnscoped(id))?.status).toBe(JobStatus.Failed);
  });

  it('ignores a replayed transition and progress from an attempt that is over', async () => {
    const id = await newRecord();
    await jobs.transition({ jobId: id, seq: seq(1, Running), status: JobStatus.Active });
    await jobs.transition({ jobId: id, seq: seq(2, Queued), status: JobStatus.Delayed });
    await jobs.transition({ jobId: id, seq: seq(2, Running), status: JobStatus.Active });
    expect(await jobs.recordProgress({ jobId: id, seq: seq(1, Running), progress: { percent: 90, step: 'old' } })).toBe(false);
    expect(await jobs.recordProgress({ jobId: id, seq: seq(2, Running), progress: { percent: 40, step: 'new' } })).toBe(true);
    expect(await jobs.transition({ jobId: id, seq: seq(2, Running), status: JobStatus.Active })).toBe(false);
    expect(await jobs.findByIdUnscoped(id)).toMatchObject({ status: JobStatus.Active, progress: { percent: 40, step: 'new' } });
  });

  it('applies a batch of writes in order in one round trip', async () => {
    const id = await newRecord();
    await jobs.applyInOrder([
      { kind: 'transition', transition: { jobId: id, seq: seq(1, Running), status: JobStatus.Active } },
      { kind: 'progress', update: { jobId: id, seq: seq(1, Running), progress: { percent: 50, step: 'half' } } },
      { kind: 'transition', transition: { jobId: id, seq: seq(1, Settled), status: JobStatus.Completed } },
      { kind: 'progress', update: { jobId: id, seq: seq(1, Running), progress: { percent: 60, step: 'late' } } },
    ]);
    expect(await jobs.findByIdUnscoped(id)).toMatchObject({ status: JobStatus.Completed, progress: { percent: 50, step: 'half' } });
  });

  it('finds a record only for its owner, and treats operator objects as plain values', async () => {
    const id = await newRecord('user:owner');
    expect(await jobs.findOwned('user:owner', id)).not.toBeNull();
    expect(await jobs.findOwned('user:other', id)).toBeNull();
    // An operator smuggled in as the owner is refused, never run as a query.
    await expect(jobs.findOwned({ $ne: null } as never, id)).rejects.toThrow('ownerKey must be a string');
    await expect(jobs.findOwned('user:owner', { $ne: null } as never)).rejects.toThrow(/Cast to string failed/);
  });
});
