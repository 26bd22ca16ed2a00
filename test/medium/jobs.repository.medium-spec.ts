import { JobStatus, TERMINAL_STATUSES, TransitionPhase, runClosingSeq, transitionSeq } from '@conveyor/contracts';
import { JobRecord, JobRecordSchema, JobTransition, JobsRepository, newJobRecord } from '@conveyor/database';
import { randomUUID } from 'node:crypto';
import { ON_FERRETDB, TestDatabase } from '../support/test-database';

const seq = transitionSeq;
const { Queued, Running, Settled } = TransitionPhase;

/**
 * The `jobs` records as the Mongo-wire server (FerretDB locally) stores them. The transition guard
 * lives in the update's filter, so only a real server can show that it holds: a record never moves
 * backwards, never leaves a terminal state, and a run settled outside any attempt stays settled.
 */
describe(JobsRepository.name, () => {
  let db: TestDatabase;
  let sut: JobsRepository;

  beforeAll(async () => {
    db = await TestDatabase.open();
    sut = new JobsRepository(await db.model(JobRecord.name, JobRecordSchema));
  });

  afterAll(async () => {
    await db?.drop();
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
    await sut.insert(record(jobId, owner));
    return jobId;
  }

  async function stored(jobId: string): Promise<JobRecord> {
    const found = await sut.findByIdUnscoped(jobId);
    if (!found) throw new Error(`record ${jobId} is missing`);
    return found;
  }

  /** Applies `writes` in order, each expected to apply. */
  async function advance(jobId: string, writes: Array<Omit<JobTransition, 'jobId'>>): Promise<void> {
    for (const w of writes) expect(await sut.transition({ jobId, ...w })).toBe(true);
  }

  it('inserts concurrent records together, and a refused one fails alone', async () => {
    const existing = await newRecord();
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const outcomes = await Promise.allSettled([
      ...ids.map((id) => sut.insert(record(id))),
      sut.insert(record(existing)), // a duplicate id: refused by the server
      sut.insert(record(randomUUID(), 'user:r', { body: { 'a\u0000b': 1 } })), // no document can hold this key
      ...ids.map((id) => sut.insert(record(`${id}-2`))),
      // PostgreSQL (under FerretDB) refuses this value after storing part of the batch; MongoDB stores it.
      sut.insert(record(randomUUID(), 'user:r', { note: 'a\u0000b' })),
      ...ids.map((id) => sut.insert(record(`${id}-3`))),
    ]);
    const statuses = outcomes.map((o) => o.status);
    expect(statuses.slice(0, 14)).toEqual([...ids.map(() => 'fulfilled'), 'rejected', 'rejected', ...ids.map(() => 'fulfilled')]);
    expect(statuses.slice(15)).toEqual(ids.map(() => 'fulfilled'));
    expect((outcomes[6] as PromiseRejectedResult).reason).toMatchObject({ code: 11000 });
    for (const id of [...ids, ...ids.map((i) => `${i}-2`), ...ids.map((i) => `${i}-3`)]) {
      expect(await sut.findByIdUnscoped(id)).toMatchObject({ _id: id });
    }
  });

  describe('transition guard', () => {
    it('applies forward moves, through attempts, to the outcome', async () => {
      const id = await newRecord();
      await advance(id, [
        { seq: seq(1, Running), status: JobStatus.Active, set: { startedAt: new Date() } },
        { seq: seq(2, Queued), status: JobStatus.Delayed, set: { attemptsMade: 1, error: { message: 'boom', code: 'E' } } },
        { seq: seq(2, Running), status: JobStatus.Active },
        { seq: seq(2, Settled), status: JobStatus.Completed, set: { attemptsMade: 2, result: { ok: 1 }, error: null } },
      ]);
      expect(await stored(id)).toMatchObject({ status: JobStatus.Completed, seq: seq(2, Settled), attemptsMade: 2, result: { ok: 1 } });
    });

    it.each([
      ['the same seq again (a replay)', seq(2, Running)],
      ['the attempt before', seq(1, Running)],
      ["the running attempt's queued step", seq(2, Queued)],
    ])('never applies %s, and leaves the record untouched', async (_what, lateSeq) => {
      const id = await newRecord();
      await advance(id, [
        { seq: seq(1, Running), status: JobStatus.Active },
        { seq: seq(2, Queued), status: JobStatus.Delayed },
        { seq: seq(2, Running), status: JobStatus.Active, set: { attemptsMade: 1 } },
      ]);
      const before = await stored(id);
      const late = {
        jobId: id,
        seq: lateSeq,
        status: JobStatus.Failed,
        set: { attemptsMade: 9, error: { message: 'late', code: 'LATE' } },
      };
      expect(await sut.transition(late)).toBe(false);
      await sut.applyInOrder([{ kind: 'transition', transition: late }]);
      expect(await stored(id)).toEqual(before);
    });

    it.each(TERMINAL_STATUSES)('never leaves %s, even for a later attempt', async (status) => {
      const id = await newRecord();
      await advance(id, [{ seq: seq(1, Settled), status }]);
      expect(await sut.transition({ jobId: id, seq: seq(2, Running), status: JobStatus.Active })).toBe(false);
      expect(await sut.transition({ jobId: id, seq: runClosingSeq(1), status: JobStatus.Cancelled })).toBe(false);
      expect(await stored(id)).toMatchObject({ status, seq: seq(1, Settled) });
    });

    it("lets a settled run's closing seq win over the attempt writes that arrive after it", async () => {
      const id = await newRecord();
      await advance(id, [
        { seq: seq(1, Running), status: JobStatus.Active },
        // The API cancels (or the sweep fails) the run outside any attempt.
        { seq: runClosingSeq(1), status: JobStatus.Cancelled, set: { finishedAt: new Date() } },
      ]);
      const settled = await stored(id);
      for (const late of [
        { seq: seq(1, Settled), status: JobStatus.Completed, set: { result: { late: true } } },
        { seq: seq(2, Queued), status: JobStatus.Delayed },
        { seq: seq(9, Running), status: JobStatus.Active },
      ]) {
        expect(await sut.transition({ jobId: id, ...late })).toBe(false);
      }
      expect(await sut.recordProgress({ jobId: id, seq: seq(1, Running), progress: { percent: 99, step: 'late' } })).toBe(false);
      expect(await stored(id)).toEqual(settled);
    });

    it('applies a closing seq whatever attempt the run had reached, and refuses one after the outcome', async () => {
      const far = await newRecord();
      await advance(far, [
        { seq: seq(7, Running), status: JobStatus.Active },
        { seq: runClosingSeq(1), status: JobStatus.Failed },
      ]);
      const done = await newRecord();
      await advance(done, [{ seq: seq(1, Settled), status: JobStatus.Completed }]);
      expect(await sut.transition({ jobId: done, seq: runClosingSeq(1), status: JobStatus.Failed })).toBe(false);
      expect((await stored(done)).status).toBe(JobStatus.Completed);
    });

    it('starts a new run that supersedes every write of the run before, and only once per read', async () => {
      const id = await newRecord();
      await advance(id, [
        { seq: seq(1, Running), status: JobStatus.Active },
        { seq: seq(1, Settled), status: JobStatus.Failed, set: { attemptsMade: 1, error: { message: 'boom', code: 'E' } } },
      ]);
      const failed = await stored(id);
      const newRunSeq = seq(1, Queued, 2);
      expect(await sut.startNewRun(failed, newRunSeq)).toBe(true);
      // A second retry that read the same record loses.
      expect(await sut.startNewRun(failed, newRunSeq)).toBe(false);
      expect(await stored(id)).toMatchObject({
        status: JobStatus.Waiting,
        seq: newRunSeq,
        run: 2,
        attemptsMade: 0,
        error: null,
        history: [expect.objectContaining({ run: 1, status: JobStatus.Failed, error: { message: 'boom', code: 'E' } })],
      });
      // Late writes of run 1, even its closing seq, are below every seq of run 2.
      expect(await sut.transition({ jobId: id, seq: seq(3, Running), status: JobStatus.Active })).toBe(false);
      expect(await sut.transition({ jobId: id, seq: runClosingSeq(1), status: JobStatus.Cancelled })).toBe(false);
      await advance(id, [{ seq: seq(1, Running, 2), status: JobStatus.Active }]);
      expect(await stored(id)).toMatchObject({ status: JobStatus.Active, run: 2, seq: seq(1, Running, 2) });
    });

    it('starts no new run of a job that is still running', async () => {
      const id = await newRecord();
      await advance(id, [{ seq: seq(1, Running), status: JobStatus.Active }]);
      expect(await sut.startNewRun(await stored(id), seq(1, Queued, 2))).toBe(false);
      expect((await stored(id)).run).toBe(1);
    });

    /** Every write of a job that fails twice and then completes, oldest first. */
    const attemptWrites: Array<Omit<JobTransition, 'jobId'>> = [
      ...[1, 2, 3].flatMap((attempt) => [
        { seq: seq(attempt, Queued), status: JobStatus.Delayed },
        { seq: seq(attempt, Running), status: JobStatus.Active },
      ]),
      { seq: seq(3, Settled), status: JobStatus.Completed, set: { result: { attempt: 3 } } },
    ];

    it('applies exactly the writes that move the record forward, whatever order they arrive in', async () => {
      const orders = attemptWrites.flatMap((_, i) => [rotate(attemptWrites, i), rotate(attemptWrites, i).reverse()]);
      await Promise.all(
        orders.map(async (order) => {
          const id = await newRecord();
          const applied: boolean[] = [];
          for (const w of order) applied.push(await sut.transition({ jobId: id, ...w }));
          // Forward = above every seq so far (the record starts at attempt 1's queued seq), until the outcome.
          let high = seq(1, Queued);
          let ended = false;
          const forward = order.map((w) => {
            const moves = !ended && w.seq > high;
            if (moves) [high, ended] = [w.seq, w.status === JobStatus.Completed];
            return moves;
          });
          expect({ order: order.map((w) => w.seq), applied }).toEqual({ order: order.map((w) => w.seq), applied: forward });
          expect(await stored(id)).toMatchObject({ status: JobStatus.Completed, seq: seq(3, Settled), result: { attempt: 3 } });
        }),
      );
    });

    // A guarded update is atomic on MongoDB; FerretDB v1 reads, then writes the document back, so
    // there one job's writes go out one at a time (DESIGN §2, docs/architecture.md).
    (ON_FERRETDB ? it.skip : it)('holds when the writes to one record race each other (MongoDB)', async () => {
      const ids = await Promise.all(Array.from({ length: 8 }, () => newRecord()));
      await Promise.all(ids.flatMap((id, i) => rotate(attemptWrites, i).map((w) => sut.transition({ jobId: id, ...w }))));
      for (const id of ids) {
        expect(await stored(id)).toMatchObject({ status: JobStatus.Completed, seq: seq(3, Settled), result: { attempt: 3 } });
      }
    });
  });

  it('records progress only for the running attempt', async () => {
    const id = await newRecord();
    await advance(id, [
      { seq: seq(1, Running), status: JobStatus.Active },
      { seq: seq(2, Queued), status: JobStatus.Delayed },
      { seq: seq(2, Running), status: JobStatus.Active },
    ]);
    expect(await sut.recordProgress({ jobId: id, seq: seq(1, Running), progress: { percent: 90, step: 'old' } })).toBe(false);
    expect(await sut.recordProgress({ jobId: id, seq: seq(2, Running), progress: { percent: 40, step: 'new' } })).toBe(true);
    expect(await stored(id)).toMatchObject({ status: JobStatus.Active, progress: { percent: 40, step: 'new' } });
  });

  it('applies a batch of writes in order in one round trip', async () => {
    const id = await newRecord();
    await sut.applyInOrder([
      { kind: 'transition', transition: { jobId: id, seq: seq(1, Running), status: JobStatus.Active } },
      { kind: 'progress', update: { jobId: id, seq: seq(1, Running), progress: { percent: 50, step: 'half' } } },
      { kind: 'transition', transition: { jobId: id, seq: seq(1, Settled), status: JobStatus.Completed } },
      { kind: 'progress', update: { jobId: id, seq: seq(1, Running), progress: { percent: 60, step: 'late' } } },
    ]);
    expect(await stored(id)).toMatchObject({ status: JobStatus.Completed, progress: { percent: 50, step: 'half' } });
  });

  it('deletes only records whose job never started when their enqueue failed, and names the ones it kept', async () => {
    const [queued, started] = [await newRecord(), await newRecord()];
    await advance(started, [{ seq: seq(1, Running), status: JobStatus.Active }]);
    expect(await sut.deleteUnqueued([queued, started])).toEqual([started]);
    expect(await sut.findByIdUnscoped(queued)).toBeNull();
    expect(await sut.findByIdUnscoped(started)).not.toBeNull();
  });

  it('finds a record only for its owner, and treats operator objects as plain values', async () => {
    const id = await newRecord('user:owner');
    expect(await sut.findOwned('user:owner', id)).not.toBeNull();
    expect(await sut.findOwned('user:other', id)).toBeNull();
    // An operator smuggled in as the owner is refused, never run as a query.
    await expect(sut.findOwned({ $ne: null } as never, id)).rejects.toThrow('ownerKey must be a string');
    await expect(sut.findOwned('user:owner', { $ne: null } as never)).rejects.toThrow(/Cast to string failed/);
  });
});

/** `items` starting at index `by` (wrapping around). */
function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
