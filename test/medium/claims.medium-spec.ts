import { Schedule, ScheduleSchema, SchedulesRepository, insertUnlessDuplicate } from '@conveyor/database';
// The product's data and contracts only: its API and worker modules are not under test here.
import { AWAITING_PICKUP_STEP, ViralEntryStatus } from '@conveyor/products/viral-ideas/contracts';
import {
  ViralCompetitor,
  ViralCompetitorSchema,
  ViralEntry,
  ViralEntrySchema,
  ViralIdeasRepository,
  ViralResult,
  ViralResultSchema,
} from '@conveyor/products/viral-ideas/data';
import { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { ON_FERRETDB, TestDatabase } from '../support/test-database';

/**
 * Claims as the Mongo-wire server decides them: a unique key claimed by inserting (one winner
 * however many try at once, on MongoDB and FerretDB alike), and the viral-ideas entry's run claim, a
 * compare-and-set on what the claimant read.
 */
describe('Claims', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await TestDatabase.open();
  });

  afterAll(async () => {
    await db?.drop();
  });

  describe(insertUnlessDuplicate.name, () => {
    let schedules: Model<Schedule>;
    let sut: SchedulesRepository;

    beforeAll(async () => {
      schedules = await db.model(Schedule.name, ScheduleSchema);
      sut = new SchedulesRepository(schedules);
    });

    function schedule(name: string, createdBy: string): Schedule {
      return {
        _id: name,
        type: 'http.request',
        system: false,
        data: {},
        cron: '0 * * * *',
        timezone: null,
        description: null,
        createdAt: new Date(),
        createdBy,
        lastRunAt: null,
        lastResult: null,
      };
    }

    it('gives a unique key to exactly one of the claimants that insert it at once', async () => {
      const name = `nightly-${randomUUID()}`;
      const claimants = Array.from({ length: 6 }, (_, i) => `user:admin-${i}`);
      const won = await Promise.all(claimants.map((by) => sut.create(schedule(name, by))));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await sut.find(name))?.createdBy).toBe(claimants[won.indexOf(true)]);
      expect(await sut.create(schedule(name, 'user:late'))).toBe(false);
    });

    it('throws what is not a duplicate', async () => {
      const invalid = { ...schedule(`broken-${randomUUID()}`, 'user:admin'), cron: undefined } as unknown as Schedule;
      await expect(insertUnlessDuplicate(schedules, invalid)).rejects.toThrow(/cron/);
    });
  });

  describe(ViralIdeasRepository.name, () => {
    let sut: ViralIdeasRepository;

    beforeAll(async () => {
      sut = new ViralIdeasRepository(
        await db.model(ViralEntry.name, ViralEntrySchema),
        await db.model(ViralCompetitor.name, ViralCompetitorSchema),
        await db.model(ViralResult.name, ViralResultSchema),
      );
    });

    function entry(sessionId = randomUUID(), owner = 'user:v'): ViralEntry {
      const now = new Date();
      return {
        _id: randomUUID(),
        session_id: sessionId,
        owner_key: owner,
        primary_username: 'primary',
        content_strategy: {},
        analysis_settings: {},
        status: ViralEntryStatus.Pending,
        priority: 5,
        current_step: null,
        progress_percentage: 0,
        error_message: null,
        auto_rerun_enabled: true,
        rerun_frequency_hours: 24,
        last_analysis_at: null,
        next_scheduled_run: null,
        total_runs: 0,
        active_job_id: null,
        submitted_at: now,
        started_processing_at: null,
        completed_at: null,
        created_at: now,
        updated_at: now,
      };
    }

    function competitorOf(queueId: string, username: string): ViralCompetitor {
      return {
        _id: randomUUID(),
        queue_id: queueId,
        competitor_username: username,
        selection_method: 'manual',
        is_active: true,
        processing_status: 'pending',
        added_at: new Date(),
        removed_at: null,
      };
    }

    async function stored(id: string): Promise<ViralEntry> {
      const found = await sut.find(id);
      if (!found) throw new Error(`entry ${id} is missing`);
      return found;
    }

    describe('entry creation (unique session)', () => {
      it('creates one entry per session, however many creates race, and only its competitors', async () => {
        const session = randomUUID();
        const tries = Array.from({ length: 5 }, () => entry(session));
        const created = await Promise.all(tries.map((e) => sut.create(e, [competitorOf(e._id, 'rival')])));
        expect(created.filter(Boolean)).toHaveLength(1);
        const winner = tries[created.indexOf(true)];
        expect((await sut.findBySession('user:v', session))?._id).toBe(winner._id);
        const stored = await Promise.all(tries.map((t) => sut.competitorsOf(t._id)));
        expect(stored.map((c) => c.length)).toEqual(tries.map((t) => (t === winner ? 1 : 0)));
      });

      it("stores one result per run, and says so when a re-run attempt's is already there", async () => {
        const e = entry();
        const result = (jobId: string): ViralResult =>
          ({
            _id: randomUUID(),
            queue_id: e._id,
            run_number: 1,
            run_type: 'initial',
            job_id: jobId,
            started_at: new Date(),
            completed_at: new Date(),
          }) as ViralResult;
        expect(await sut.insertResult(result('job-a'))).toBe(true);
        expect(await sut.insertResult(result('job-a'))).toBe(false);
        expect((await sut.latestResult(e._id))?.job_id).toBe('job-a');
      });
    });

    describe('run claims (compare-and-set)', () => {
      async function newEntry(): Promise<ViralEntry> {
        const e = entry();
        expect(await sut.create(e, [])).toBe(true);
        return stored(e._id);
      }

      it('claims the entry as read for a new run, and refuses a claim from a read that is out of date', async () => {
        const read = await newEntry();
        const [first, second] = [randomUUID(), randomUUID()];
        expect(await sut.claimRun(read, first, new Date())).toBe(true);
        const claimed = await stored(read._id);
        expect(claimed).toMatchObject({
          status: ViralEntryStatus.Pending,
          active_job_id: first,
          current_step: AWAITING_PICKUP_STEP,
          progress_percentage: 0,
        });
        // A second start that read the entry before the first claim loses, and changes nothing.
        expect(await sut.claimRun(read, second, new Date())).toBe(false);
        expect(await stored(read._id)).toEqual(claimed);
      });

      it("lets a newer claim supersede a run: the old run's writes no longer touch the entry", async () => {
        const read = await newEntry();
        const [stuck, fresh] = [randomUUID(), randomUUID()];
        await sut.claimRun(read, stuck, new Date());
        expect(await sut.runStarted(read._id, stuck, 'Fetching profiles', 10, new Date())).toBe(true);
        // Presumed stuck: a batch starts the entry again from what it reads now.
        expect(await sut.claimRun(await stored(read._id), fresh, new Date())).toBe(true);
        const superseded = await stored(read._id);
        expect(await sut.runProgress(read._id, stuck, 'Analysing', 60)).toBe(false);
        expect(await sut.runCompleted(read._id, stuck, { completedAt: new Date(), totalRuns: 1, nextScheduledRun: null })).toBe(false);
        expect(await sut.runEndedByJob(stuck, ViralEntryStatus.Failed, 'late')).toBe(false);
        expect(await stored(read._id)).toEqual(superseded);
        expect(await sut.runStarted(read._id, fresh, 'Fetching profiles', 10, new Date())).toBe(true);
        expect(await stored(read._id)).toMatchObject({ status: ViralEntryStatus.Processing, active_job_id: fresh });
      });

      it('releases a claim whose enqueue failed only while the claim is still its own', async () => {
        const read = await newEntry();
        const failedEnqueue = randomUUID();
        await sut.claimRun(read, failedEnqueue, new Date());
        await sut.releaseClaim(failedEnqueue, read);
        expect(await stored(read._id)).toMatchObject({ status: read.status, active_job_id: null, current_step: null });

        const [lost, winner] = [randomUUID(), randomUUID()];
        await sut.claimRun(await stored(read._id), lost, new Date());
        await sut.claimRun(await stored(read._id), winner, new Date());
        await sut.releaseClaim(lost, read);
        expect((await stored(read._id)).active_job_id).toBe(winner);
      });

      // Atomic on MongoDB; on FerretDB v1 two updates at once can both match (DESIGN §2), so
      // ViralRunStarter takes a Redis guard per entry before it claims.
      (ON_FERRETDB ? it.skip : it)('gives the run to one of several starts that claim at once (MongoDB)', async () => {
        const read = await newEntry();
        const jobIds = Array.from({ length: 6 }, () => randomUUID());
        const won = await Promise.all(jobIds.map((jobId) => sut.claimRun(read, jobId, new Date())));
        expect(won.filter(Boolean)).toHaveLength(1);
        expect((await stored(read._id)).active_job_id).toBe(jobIds[won.indexOf(true)]);
      });
    });
  });
});
