import { ConveyorError, ErrorCode, JobStatus } from '@conveyor/contracts';
import {
  DeadLettersRepository,
  JobRecord,
  JobRecordSchema,
  JobSweepRepository,
  JobsRepository,
  KeysetPage,
  newJobRecord,
} from '@conveyor/database';
import { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { TestDatabase } from '../support/test-database';

/** A time in the past, `s` seconds into a fixed minute: records share these to force ties. */
const at = (s: number) => new Date(Date.UTC(2020, 0, 1, 12, 0, s));

/**
 * Keyset pages of job records as the Mongo-wire server reads them: every list (jobs, dead letters,
 * the reconciliation sweep) in its order, ties on the sort time broken by id, page boundaries inside
 * a run of equal times, and nothing read twice or skipped while records arrive or leave between pages.
 */
describe('Keyset pages of job records', () => {
  let db: TestDatabase;
  let model: Model<JobRecord>;

  beforeAll(async () => {
    db = await TestDatabase.open();
    model = await db.model(JobRecord.name, JobRecordSchema);
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** Stores records as given (status, times), like records written over time. */
  async function store(records: Array<Partial<JobRecord> & Pick<JobRecord, 'ownerKey' | 'createdAt'>>): Promise<JobRecord[]> {
    const full = records.map(({ ownerKey, createdAt, ...rest }) => ({
      ...newJobRecord({
        jobId: randomUUID(),
        ownerKey,
        type: 'http.request',
        queue: 'http',
        data: { url: 'http://example.com/', method: 'GET' },
        options: { priority: 5, delayMs: 0, attempts: 3, timeoutMs: 1000, backoff: { type: 'fixed', delayMs: 10 } },
        now: createdAt,
      }),
      ...rest,
    }));
    await model.insertMany(full);
    return full;
  }

  /** Every page from the first, `between` run after each but the last; fails past 50 pages (a cursor that never ends). */
  async function walk<T>(read: (cursor?: string) => Promise<KeysetPage<T>>, between?: (readSoFar: T[]) => Promise<void>): Promise<T[][]> {
    const pages: T[][] = [];
    let cursor: string | undefined;
    do {
      const page = await read(cursor);
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
      if (cursor && between) await between(pages.flat());
    } while (cursor && pages.length < 50);
    expect(cursor).toBeUndefined();
    return pages;
  }

  const ids = (records: Array<{ _id: string }>) => records.map((r) => r._id);
  /** Newest first; equal times by id, descending too. */
  const newestFirst = (field: 'createdAt' | 'updatedAt') => (a: JobRecord, b: JobRecord) =>
    b[field].getTime() - a[field].getTime() || (a._id < b._id ? 1 : -1);

  describe(JobsRepository.name, () => {
    let sut: JobsRepository;
    const owner = `user:${randomUUID()}`;
    let mine: JobRecord[];

    beforeAll(async () => {
      sut = new JobsRepository(model);
      // 12 jobs over 3 instants, 4 at each, so pages of 5 end inside a run of equal times.
      mine = await store([0, 1, 2].flatMap((s) => Array.from({ length: 4 }, () => ({ ownerKey: owner, createdAt: at(s) }))));
      await store([{ ownerKey: 'user:someone-else', createdAt: at(1) }]);
    });

    it("pages through a caller's jobs newest first, equal times by id, each once", async () => {
      const pages = await walk((cursor) => sut.listOwned(owner, {}, { limit: 5, cursor }));
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      expect(ids(pages.flat())).toEqual(ids([...mine].sort(newestFirst('createdAt'))));
    });

    it('reads no record twice and skips none while new jobs arrive between pages', async () => {
      const arrived: JobRecord[] = [];
      const pages = await walk(
        (cursor) => sut.listOwned(owner, {}, { limit: 3, cursor }),
        async () => {
          arrived.push(
            ...(await store([
              { ownerKey: owner, createdAt: new Date() },
              { ownerKey: owner, createdAt: new Date() },
            ])),
          );
        },
      );
      // New jobs are newer than every page already read, so they start the list; the walk sees
      // exactly the jobs it started with, in order.
      expect(arrived.length).toBeGreaterThan(0);
      expect(ids(pages.flat())).toEqual(ids([...mine].sort(newestFirst('createdAt'))));
      expect(ids((await sut.listOwned(owner, {}, { limit: 100 })).items)).toEqual(
        ids([...mine, ...arrived].sort(newestFirst('createdAt'))),
      );
    });

    it("keeps the list's filters on every page, for an admin too", async () => {
      const queued = await store(
        [0, 0, 0, 0, 1].map((s) => ({ ownerKey: `user:${randomUUID()}`, createdAt: at(s), queue: 'viral-analysis' })),
      );
      const pages = await walk((cursor) => sut.listAsAdmin({ queue: 'viral-analysis', createdTo: at(0) }, { limit: 2, cursor }));
      expect(ids(pages.flat())).toEqual(ids(queued.filter((r) => r.createdAt <= at(0)).sort(newestFirst('createdAt'))));
    });

    it('refuses a cursor it did not issue as a 400 on cursor', async () => {
      const forged = Buffer.from(JSON.stringify([Date.now(), 'not-an-id'])).toString('base64url');
      const refused = await sut.listOwned(owner, {}, { limit: 5, cursor: forged }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConveyorError);
      expect(refused).toMatchObject({ code: ErrorCode.ValidationFailed });
    });
  });

  describe(DeadLettersRepository.name, () => {
    let sut: DeadLettersRepository;
    let letters: JobRecord[];

    beforeAll(async () => {
      sut = new DeadLettersRepository(model);
      const owner = `user:${randomUUID()}`;
      // 9 failed runs over 3 instants; a running job and a dismissed dead letter are not on the list.
      letters = await store(
        [10, 11, 12].flatMap((s) =>
          Array.from({ length: 3 }, () => ({ ownerKey: owner, createdAt: at(0), status: JobStatus.Failed, updatedAt: at(s) })),
        ),
      );
      await store([
        { ownerKey: owner, createdAt: at(0), status: JobStatus.Active, updatedAt: at(11) },
        { ownerKey: owner, createdAt: at(0), status: JobStatus.Failed, updatedAt: at(11), dismissed: { at: at(20), by: 'user:admin' } },
      ]);
    });

    it('pages most recently failed first, equal times by id, each once while letters read are dismissed', async () => {
      let dismissed = 0;
      const pages = await walk(
        (cursor) => sut.listAsAdmin({}, { limit: 2, cursor }),
        async (readSoFar) => {
          // An operator dismisses a letter already read: it leaves the list, and no later page shifts.
          if (await sut.dismiss(readSoFar[readSoFar.length - 1], 'user:admin')) dismissed++;
        },
      );
      expect(dismissed).toBe(pages.length - 1);
      expect(ids(pages.flat())).toEqual(ids([...letters].sort(newestFirst('updatedAt'))));
    });
  });

  describe(JobSweepRepository.name, () => {
    let sut: JobSweepRepository;

    it('reads unsettled records oldest update first, equal times by id, without their payloads', async () => {
      sut = new JobSweepRepository(model);
      const owner = `user:${randomUUID()}`;
      // Older than every record of the other tests, so they sort first.
      const before = (s: number) => new Date(Date.UTC(2019, 0, 1, 0, 0, s));
      const unsettled = await store(
        [1, 2].flatMap((s) =>
          [JobStatus.Waiting, JobStatus.Delayed, JobStatus.Active].map((status) => ({
            ownerKey: owner,
            createdAt: before(0),
            status,
            updatedAt: before(s),
          })),
        ),
      );
      await store([{ ownerKey: owner, createdAt: before(0), status: JobStatus.Completed, updatedAt: before(1) }]);
      const pages = await walk((cursor) => sut.unsettledBatch({ updatedBefore: before(3), limit: 4, cursor }));
      expect(pages.map((p) => p.length)).toEqual([4, 2]);
      const oldestFirst = [...unsettled].sort(newestFirst('updatedAt')).reverse();
      expect(ids(pages.flat())).toEqual(ids(oldestFirst));
      expect(pages[0][0]).not.toHaveProperty('data');
    });
  });
});
