import { VIRAL_ANALYSIS_QUEUE } from '@conveyor/products/viral-ideas';
import { getConnectionToken } from '@nestjs/mongoose';
import { QueueName } from '@conveyor/contracts';
import type { Connection } from 'mongoose';
import { Conveyor } from '../support/conveyor';
import { FakeViralServices, Gate } from '../support/viral-services';
import { waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'viral-ideas-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const ALICE = { 'x-user-id': 'alice' };
const BOB = { 'x-user-id': 'bob' };

const day = (d: number) => `2026-01-${String(d).padStart(2, '0')}T12:00:00.000Z`;

/** Data the fake profile service serves: a primary profile and two competitors with one outlier each. */
function seedProfiles(services: FakeViralServices, prefix: string): { primary: string; competitors: string[] } {
  const primary = `${prefix}_me`;
  const competitors = [`${prefix}_rival1`, `${prefix}_rival2`];
  services.profiles.set(primary, {
    followers: 1200,
    reels: [
      { id: `${prefix}-p1`, views: 1000, likes: 50, comments: 10, posted_at: day(1) },
      { id: `${prefix}-p2`, views: 2000, likes: 80, comments: 20, posted_at: day(2) },
      { id: `${prefix}-p3`, views: 3000, likes: 90, comments: 30, posted_at: day(3) },
    ],
  });
  services.profiles.set(competitors[0], {
    followers: 50_000,
    reels: [
      { id: `${prefix}-a1`, views: 10_000, posted_at: day(1) },
      { id: `${prefix}-a2`, views: 100_000, likes: 9000, comments: 1000, posted_at: day(2) }, // 10× its baseline
      { id: `${prefix}-a3`, views: 10_000, posted_at: day(3) },
    ],
  });
  services.profiles.set(competitors[1], {
    followers: 8000,
    reels: [
      { id: `${prefix}-b1`, views: 500, posted_at: day(1) },
      { id: `${prefix}-b2`, views: 1500, posted_at: day(2) },
    ],
  });
  services.transcripts.set(`${prefix}-a2`, 'Why does nobody talk about this? Here is the trick.');
  services.transcripts.set(`${prefix}-p3`, 'Stop posting at 9am. Do this instead.');
  return { primary, competitors };
}

/** The viral-ideas analysis product (README "Viral-ideas analysis"; seed docs 000 and 001). */
describe('Viral-ideas analysis', () => {
  let conveyor: Conveyor;
  let services: FakeViralServices;
  let sessions = 0;

  beforeAll(async () => {
    services = await FakeViralServices.start();
    conveyor = await Conveyor.start({
      workers: 1,
      env: { ADMIN_API_TOKEN: ADMIN_TOKEN, THROTTLE_ADMIN_LIMIT: '1000', VIRAL_BATCH_COOLDOWN_MS: '0', ...services.env() },
    });
    // Retries after one second instead of one minute, so a failing run ends within the test.
    const res = await conveyor
      .http()
      .put(`/api/v1/queues/${VIRAL_ANALYSIS_QUEUE}/config`)
      .set(admin)
      .send({ backoff: { type: 'fixed', delay: 200 } });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await conveyor?.close();
    await services?.close();
  });

  const createEntry = async (headers: Record<string, string>, body: Record<string, unknown>) => {
    const res = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(headers)
      .send({ session_id: `session_${++sessions}_${Date.now()}`, ...body });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; session_id: string };
  };
  const start = (id: string, headers: Record<string, string> = ALICE) =>
    conveyor.http().post(`/api/viral-ideas/queue/${id}/start`).set(headers);
  const db = () => conveyor.app.get<Connection>(getConnectionToken());
  /** Runs the re-run schedule now and returns what its task reports: `{ started, refused }`. */
  const triggerReruns = async () => {
    const res = await conveyor.http().post('/api/v1/scheduler/jobs/viral-ideas-reruns/trigger').set(admin);
    expect(res.status).toBe(201);
    const job = await waitFor(
      async () => {
        const j = await conveyor.queue(QueueName.Maintenance).getJob(res.body.data.jobId);
        return j?.finishedOn ? j : undefined;
      },
      { what: 'the re-run schedule to finish' },
    );
    return job.returnvalue as { started: Array<{ queueId: string; jobId: string }>; refused: unknown[] };
  };
  const entryOf = async (sessionId: string, headers: Record<string, string> = ALICE) => {
    const res = await conveyor.http().get(`/api/viral-ideas/queue/${sessionId}`).set(headers);
    expect(res.status).toBe(200);
    return res.body.data;
  };
  const entryWhen = (sessionId: string, accept: (entry: any) => boolean, what: string, timeoutMs = 20_000) => {
    let seen: unknown;
    return waitFor(
      async () => {
        const entry = await entryOf(sessionId);
        seen = entry;
        return accept(entry) ? entry : undefined;
      },
      { what: `${what} (last seen ${JSON.stringify(seen)?.slice(0, 400)})`, timeoutMs },
    );
  };

  it('runs a full analysis: progress through every step, results stored, entry completed', async () => {
    const { primary, competitors } = seedProfiles(services, 'full');
    const entry = await createEntry(ALICE, {
      primary_username: `@${primary}`,
      competitors: competitors.map((username) => ({ username, selection_method: 'manual' })),
      content_strategy: { niche: 'fitness' },
    });
    const progressEvents: Array<{ percent: number; step: string }> = [];
    const queue = conveyor.queue(VIRAL_ANALYSIS_QUEUE);
    const onProgress = (_jobId: string, progress: { percent: number; step: string }) => progressEvents.push(progress);
    // Bull subscribes in Redis when a global listener is added, and says so with `registered:…`.
    const registered = new Promise((resolve) => queue.once('registered:global:progress', resolve));
    queue.on('global:progress', onProgress);
    await registered;
    services.gates = { profiles: new Gate(), transcripts: new Gate(), ideas: new Gate() };

    const started = await start(entry.id);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      success: true,
      message: 'Analysis queued successfully - processor will start shortly',
      data: {
        queue_processing: { queue_id: entry.id, status: 'pending', signal_sent: true, processing_state: 'ready_for_pickup' },
        queue_details: { session_id: entry.session_id, primary_username: primary, priority: 5, progress_percentage: 0 },
        next_steps: { monitoring: `Use /api/viral-ideas/queue/${entry.session_id} to monitor progress` },
      },
    });
    expect(Date.parse(started.body.data.timestamp)).not.toBeNaN();
    const jobId = started.body.data.queue_processing.job_id;

    // Held at each service in turn, the entry shows the step it is in.
    const atProfiles = await entryWhen(entry.session_id, (e) => e.progress_percentage === 20, 'the fetch-profiles step');
    expect(atProfiles).toMatchObject({ status: 'processing', current_step: 'Fetching profile and competitor content', job_id: jobId });
    expect(atProfiles.started_processing_at).not.toBeNull();
    services.gates.profiles!.open();
    await entryWhen(entry.session_id, (e) => e.progress_percentage === 50, 'the fetch-transcripts step');
    services.gates.transcripts!.open();
    const atAnalyse = await entryWhen(entry.session_id, (e) => e.progress_percentage === 75, 'the analyse step');
    expect(atAnalyse.current_step).toBe('Analysing content and generating ideas');
    expect(atAnalyse.competitors.map((c: any) => c.processing_status)).toEqual(['completed', 'completed']);
    services.gates.ideas!.open();
    const done = await entryWhen(entry.session_id, (e) => e.status === 'completed', 'the run to complete');
    queue.removeListener('global:progress', onProgress);

    expect(progressEvents.filter((p) => p.step !== null).map((p) => [p.percent, p.step])).toEqual([
      [0, 'decide-run'],
      [10, 'fetch-profiles'],
      [20, 'fetch-transcripts'],
      [50, 'analyse'],
      [75, 'store-results'],
    ]);
    expect(done).toMatchObject({ progress_percentage: 100, total_runs: 1, error_message: null, current_step: 'Analysis complete' });
    const completedAt = Date.parse(done.completed_at);
    expect(Date.parse(done.last_analysis_at)).toBe(completedAt);
    expect(Date.parse(done.next_scheduled_run)).toBe(completedAt + 24 * 3_600_000);
    expect(done.runs).toEqual([expect.objectContaining({ run_number: 1, run_type: 'initial', job_id: jobId, ideas_count: 1 })]);

    const results = await conveyor.http().get(`/api/viral-analysis/${entry.id}/results`).set(ALICE);
    expect(results.status).toBe(200);
    const latest = results.body.data.latest;
    expect(latest).toMatchObject({ run_number: 1, run_type: 'initial', job_id: jobId, ideas: services.ideas, ideas_note: null });
    expect(latest.transcripts).toEqual({ requested: expect.any(Number), fetched: 2, failed: expect.any(Number), note: null });
    const rival = latest.profiles.find((p: any) => p.username === competitors[0]);
    expect(rival).toMatchObject({ role: 'competitor', fetch_status: 'ok', baseline_views: 10_000, new_reels: 3, latest_posted_at: day(3) });
    expect(latest.top_reels[0]).toMatchObject({ id: 'full-a2', username: competitors[0], outlier_score: 10, engagement_rate: 0.1 });
    expect(latest.top_reels_by_competitor[competitors[0]][0].id).toBe('full-a2');
    expect(latest.hook_patterns).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pattern: 'question', count: 1, examples: ['Why does nobody talk about this?'] }),
        expect.objectContaining({ pattern: 'warning', count: 1 }),
      ]),
    );
    // Every step's time before the result was written.
    expect(Object.keys(latest.timings)).toEqual(['decide-run', 'fetch-profiles', 'fetch-transcripts', 'analyse']);
    // The idea service got the analysis context.
    const [ideaRequest] = services.ideaRequests() as any[];
    expect(ideaRequest).toMatchObject({ primary_username: primary, content_strategy: { niche: 'fitness' } });
    expect(ideaRequest.top_reels[0].id).toBe('full-a2');
    // The run is an ordinary job of its owner too.
    const job = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set(ALICE);
    expect(job.body.data).toMatchObject({ type: 'viral-ideas.analysis', status: 'completed' });
    await conveyor.checkDocumentedResult(jobId, ALICE['x-user-id']);

    // completed → 409 with the spec's detail and troubleshooting.
    const again = await start(entry.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      success: false,
      error_code: 'INVALID_QUEUE_STATE',
      detail: "Queue entry is in 'completed' state and cannot be started. Valid states: pending, failed, paused",
      troubleshooting:
        "Queue entry must be in 'pending', 'failed', or 'paused' state to be started. Check current status and reset if needed",
    });
  });

  it('re-runs a completed entry when due (system schedule), fetching only content newer than what is stored', async () => {
    const { primary, competitors } = seedProfiles(services, 'recur');
    // Only this test's triggers run the schedule: its cron moves to once a year.
    await db()
      .collection('schedules')
      .updateOne({ _id: 'viral-ideas-reruns' as never }, { $set: { cron: '0 0 1 1 *' } });
    const entry = await createEntry(ALICE, { primary_username: primary, competitors: [{ username: competitors[0] }] });
    expect((await start(entry.id)).status).toBe(200);
    const first = await entryWhen(entry.session_id, (e) => e.status === 'completed', 'the first run');
    // Nothing is due yet: the schedule starts nothing, and the entry is untouched.
    expect(await triggerReruns()).toEqual({ started: [], refused: [] });
    expect(await entryOf(entry.session_id)).toMatchObject({ status: 'completed', total_runs: 1, job_id: first.job_id });
    expect(services.profileHits(primary)).toHaveLength(1);

    services.profiles
      .get(primary)!
      .reels.push(
        { id: 'recur-p4', views: 50_000, likes: 10, comments: 5, posted_at: day(4) },
        { id: 'recur-p5', views: 2500, posted_at: day(5) },
      );
    // Make the re-run due (it is 24 h away), then run the schedule now.
    await db()
      .collection('viral_ideas_queue')
      .updateOne({ _id: entry.id as never }, { $set: { next_scheduled_run: new Date(Date.now() - 1000) } });
    const { started } = await triggerReruns();
    const second = await entryWhen(entry.session_id, (e) => e.total_runs === 2 && e.status === 'completed', 'the re-run');
    // The entry completes inside the run's last step: wait for the job too (its result is checked as it is read).
    await conveyor.waitForJob(second.job_id, ALICE['x-user-id'], (j) => j.status === 'completed');
    expect(started).toEqual([{ queueId: entry.id, jobId: second.job_id }]);

    // Each profile was asked only for reels newer than its newest stored one.
    expect(services.profileHits(primary).map((h) => h.since)).toEqual([null, day(3)]);
    expect(services.profileHits(competitors[0]).map((h) => h.since)).toEqual([null, day(3)]);
    expect(second.runs.map((r: any) => [r.run_number, r.run_type])).toEqual([
      [2, 'recurring'],
      [1, 'initial'],
    ]);
    const latest = (await conveyor.http().get(`/api/viral-analysis/${entry.id}/results`).set(ALICE)).body.data.latest;
    const me = latest.profiles.find((p: any) => p.username === primary);
    // Two new reels fetched, merged with the three stored: five analysed, baseline over all five.
    expect(me).toMatchObject({ new_reels: 2, reels_analysed: 5, baseline_views: 2500, latest_posted_at: day(5) });
    expect(latest.profiles.find((p: any) => p.username === competitors[0])).toMatchObject({ new_reels: 0, reels_analysed: 3 });
    expect(latest.top_reels[0]).toMatchObject({ id: 'recur-p4', outlier_score: 20 });
  });

  it('answers the start endpoint’s error cases with the spec’s codes and texts', async () => {
    const malformed = await start('not-a-valid-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      success: false,
      error_code: 'INVALID_UUID_FORMAT',
      detail: 'queue_id must be a valid UUID',
      troubleshooting: 'Ensure queue_id is a properly formatted UUID (e.g., 12345678-1234-1234-1234-123456789012)',
    });
    const unknown = await start('12345678-1234-4234-8234-123456789012');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      error_code: 'QUEUE_NOT_FOUND',
      detail: 'Queue entry not found',
      troubleshooting: 'Verify the queue_id exists in the viral_ideas_queue table and was properly created',
    });
    // Someone else's entry does not exist for Bob, on every route.
    const entry = await createEntry(ALICE, { primary_username: 'nobody_else' });
    expect((await start(entry.id, BOB)).status).toBe(404);
    expect((await conveyor.http().get(`/api/viral-ideas/queue/${entry.session_id}`).set(BOB)).status).toBe(404);
    expect((await conveyor.http().get(`/api/viral-analysis/${entry.id}/results`).set(BOB)).status).toBe(404);
    expect((await start(entry.id, {})).status).toBe(401);
    // Before any run the results are empty, not an error.
    const empty = await conveyor.http().get(`/api/viral-analysis/${entry.id}/results`).set(ALICE);
    expect(empty.body.data).toMatchObject({ queue_id: entry.id, status: 'pending', latest: null, runs: [] });
  });

  it('never runs one entry twice at once: starts in a row and at once share one run; processing → already_started', async () => {
    const { primary } = seedProfiles(services, 'twice');
    const entry = await createEntry(ALICE, { primary_username: primary, priority: 2 });
    // Held at the profile service, so the run stays in progress once it starts.
    services.gates = { profiles: new Gate() };
    await conveyor.http().post(`/api/v1/queues/${VIRAL_ANALYSIS_QUEUE}/pause`).set(admin).expect(200);
    try {
      const first = await start(entry.id);
      const second = await start(entry.id);
      const concurrent = await Promise.all([1, 2, 3, 4].map(() => start(entry.id)));
      const jobId = first.body.data.queue_processing.job_id;
      expect(second.body).toMatchObject({
        message: 'Analysis is already queued - processor will start shortly',
        data: { queue_processing: { job_id: jobId, signal_sent: false, processing_state: 'already_queued' } },
      });
      for (const res of concurrent) expect(res.body.data.queue_processing.job_id).toBe(jobId);
      // Starts at once on an entry nobody started yet: they race to the claim, and one wins.
      const fresh = await createEntry(ALICE, { primary_username: primary });
      const racing = await Promise.all([1, 2, 3, 4, 5].map(() => start(fresh.id)));
      expect(racing.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
      expect(racing.filter((res) => res.body.data.queue_processing.signal_sent)).toHaveLength(1);
      expect(new Set(racing.map((res) => res.body.data.queue_processing.job_id)).size).toBe(1);
      const freshRuns = (await conveyor.queue(VIRAL_ANALYSIS_QUEUE).getWaiting()).filter(
        (job) => conveyor.payloadOf(job).queueId === fresh.id,
      );
      expect(freshRuns).toHaveLength(1);
      await (await conveyor.queue(VIRAL_ANALYSIS_QUEUE).getJob(freshRuns[0].id))!.remove();
      const waiting = await conveyor.queue(VIRAL_ANALYSIS_QUEUE).getWaiting();
      expect(waiting.filter((job) => conveyor.payloadOf(job).queueId === entry.id).map((job) => [job.id, job.opts.priority])).toEqual([
        [jobId, 2],
      ]);
    } finally {
      await conveyor.http().post(`/api/v1/queues/${VIRAL_ANALYSIS_QUEUE}/resume`).set(admin).expect(200);
    }
    await entryWhen(entry.session_id, (e) => e.status === 'processing', 'the run to start');
    const during = await start(entry.id);
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({
      message: 'Analysis is already in progress',
      data: { queue_id: entry.id, status: 'processing', processing_state: 'already_started', session_id: entry.session_id },
    });
    services.gates.profiles!.open();
    const done = await entryWhen(entry.session_id, (e) => e.status === 'completed', 'the run to complete');
    expect(done.total_runs).toBe(1);
    expect(services.profileHits(primary)).toHaveLength(1);
  });

  it('fails the entry with its error after every attempt when the profile service keeps failing', async () => {
    services.failing.add('always_down');
    const entry = await createEntry(ALICE, { primary_username: 'always_down' });
    expect((await start(entry.id)).status).toBe(200);
    const failed = await entryWhen(entry.session_id, (e) => e.status === 'failed', 'the entry to fail');
    expect(failed.error_message).toMatch(/profiles\/always_down answered 500/);
    expect(failed.current_step).toBe('Analysis failed');
    // 3 attempts (the queue's policy) × 3 tries per call.
    expect(services.profileHits('always_down')).toHaveLength(9);
    // A failed entry may be started again: it runs and, with the service back, completes.
    services.failing.delete('always_down');
    services.profiles.set('always_down', { followers: 1, reels: [{ id: 'ad-1', views: 10, posted_at: day(1) }] });
    expect((await start(entry.id)).body.data.queue_processing).toMatchObject({ status: 'failed', processing_state: 'ready_for_pickup' });
    const completed = await entryWhen(entry.session_id, (e) => e.status === 'completed', 'the re-started entry to complete');
    expect(completed.error_message).toBeNull();
  });

  it('refuses bad entries with field errors and a second entry for one session', async () => {
    const bad = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(ALICE)
      .send({ session_id: 'bad one', primary_username: 'me', competitors: [{ username: 'x' }, { username: 'X' }], priority: 11 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['priority', 'session_id']);
    const duplicateCompetitor = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(ALICE)
      .send({ session_id: 'dupe-competitors', primary_username: 'me', competitors: [{ username: 'x' }, { username: 'X' }] });
    expect(duplicateCompetitor.status).toBe(400);
    expect(duplicateCompetitor.body.errors).toEqual([{ field: 'competitors.1.username', message: 'competitor X is listed twice' }]);
    // Mass assignment (RELIABILITY B6): the entry's own fields are never taken from a client.
    const assigned = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(ALICE)
      .send({
        session_id: `mass-assign-${sessions++}`,
        primary_username: 'me',
        _id: 'chosen-id',
        owner_key: 'user:bob',
        status: 'completed',
        total_runs: 9,
        active_job_id: 'x',
      });
    expect(assigned.status).toBe(400);
    expect(assigned.body.errors.map((e: any) => e.field).sort()).toEqual(['_id', 'active_job_id', 'owner_key', 'status', 'total_runs']);
    // Handles that would walk the profile service's path (`/profiles/..`) or that no network allows.
    for (const username of ['..', '.', '.hidden', 'trailing.', 'two..dots', '../admin', 'a/b', '%2e%2e']) {
      const res = await conveyor
        .http()
        .post('/api/viral-ideas/queue')
        .set(ALICE)
        .send({ session_id: `bad-handle-${sessions++}`, primary_username: username, competitors: [{ username }] });
      expect([username, res.status, res.body.errors?.map((e: any) => e.field)]).toEqual([
        username,
        400,
        ['primary_username', 'competitors.0.username'],
      ]);
    }
    const entry = await createEntry(ALICE, { primary_username: 'once_only' });
    const second = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(ALICE)
      .send({ session_id: entry.session_id, primary_username: 'x' });
    expect(second.status).toBe(409);
    expect(second.body.error_code).toBe('SESSION_EXISTS');
  });

  it('counts entries per status, the caller’s own or (for admins) everyone’s', async () => {
    await createEntry(BOB, { primary_username: 'bobs_profile' });
    const own = await conveyor.http().get('/api/viral-ideas/queue-status').set(BOB);
    expect(own.status).toBe(200);
    expect(own.body.data).toMatchObject({
      scope: 'own',
      total: 1,
      counts: { pending: 1, processing: 0, completed: 0, failed: 0, paused: 0 },
    });
    // Seed 001's monitoring script reads `.data.statistics.pending` and `.data.statistics.processing`.
    expect(own.body.data.statistics).toEqual({ pending: 1, processing: 0, completed: 0, failed: 0, paused: 0, total: 1 });
    // Bob's statistics are his own: none of Alice's runs.
    expect(own.body.data.processing_statistics).toMatchObject({
      completed_sampled: 0,
      average_processing_seconds: null,
      last_completed_at: null,
    });
    const all = await conveyor.http().get('/api/viral-ideas/queue-status').set(admin);
    expect(all.body.data.scope).toBe('all');
    // The admin token counts everyone's entries, in the seed's shape too.
    const { counts, total } = all.body.data;
    expect(all.body.data.statistics).toEqual({
      pending: counts.pending,
      processing: counts.processing,
      completed: counts.completed,
      failed: counts.failed,
      paused: counts.paused,
      total,
    });
    expect(all.body.data.statistics.pending).toBeGreaterThan(own.body.data.statistics.pending);
    expect(all.body.data.total).toBeGreaterThan(own.body.data.total);
    expect(all.body.data.total).toBe(Object.values(all.body.data.counts as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(all.body.data.counts.completed).toBeGreaterThanOrEqual(2);
    expect(all.body.data.processing_statistics.completed_sampled).toBe(all.body.data.counts.completed);
    expect(all.body.data.processing_statistics.average_processing_seconds).toEqual(expect.any(Number));
    expect(all.body.data.processing_statistics.average_processing_seconds).toBeGreaterThan(0);
  });

  it('pauses an entry whose running analysis is cancelled through the job API', async () => {
    const { primary } = seedProfiles(services, 'cancel');
    const entry = await createEntry(ALICE, { primary_username: primary });
    services.gates = { profiles: new Gate() };
    const jobId = (await start(entry.id)).body.data.queue_processing.job_id;
    await entryWhen(entry.session_id, (e) => e.status === 'processing', 'the run to start');
    expect((await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(ALICE)).status).toBe(200);
    const paused = await entryWhen(entry.session_id, (e) => e.status === 'paused', 'the entry to pause');
    expect(paused.current_step).toBe('Analysis cancelled');
    services.gates.profiles!.open();
    // The generic job API cannot start the product's runs behind the entry's back.
    const direct = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(ALICE)
      .send({ type: 'viral-ideas.analysis', data: { queueId: entry.id } });
    expect(direct.status).toBe(400);
    expect(direct.body.errors[0].message).toContain('POST /api/viral-ideas/queue/{queue_id}/start');
  });
  it('takes competitors as plain usernames (as seed 001’s worker lists them), as objects, or both, and analyses each', async () => {
    const { primary, competitors } = seedProfiles(services, 'plain');
    const plain = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(ALICE)
      .send({ session_id: `plain-${sessions++}`, primary_username: primary, competitors });
    expect(plain.status).toBe(201);
    expect(plain.body.data.competitors.map((c: any) => [c.competitor_username, c.selection_method])).toEqual([
      [competitors[0], 'suggested'],
      [competitors[1], 'suggested'],
    ]);
    const mixed = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(ALICE)
      .send({
        session_id: `mixed-${sessions++}`,
        primary_username: primary,
        competitors: [`@${competitors[0]}`, { username: competitors[1], selection_method: 'manual' }],
      });
    expect(mixed.status).toBe(201);
    expect(mixed.body.data.competitors.map((c: any) => [c.competitor_username, c.selection_method])).toEqual([
      [competitors[0], 'suggested'],
      [competitors[1], 'manual'],
    ]);
    // Plain usernames follow the objects' rules, and anything else is a 400 naming its place.
    const refused = async (list: unknown[]) => {
      const res = await conveyor
        .http()
        .post('/api/viral-ideas/queue')
        .set(ALICE)
        .send({ session_id: `bad-competitors-${sessions++}`, primary_username: primary, competitors: list });
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('VALIDATION_FAILED');
      return res.body.errors;
    };
    expect(await refused(['comp_a', '../admin'])).toEqual([{ field: 'competitors.1.username', message: expect.any(String) }]);
    expect(await refused(['comp_a', 'COMP_A'])).toEqual([
      { field: 'competitors.1.username', message: 'competitor COMP_A is listed twice' },
    ]);
    expect(await refused([primary])).toEqual([{ field: 'competitors.0.username', message: 'a competitor cannot be the primary profile' }]);
    for (const element of [42, null, ['comp_b'], true]) {
      expect(await refused(['comp_a', element])).toEqual([
        { field: 'competitors.1', message: 'each competitor must be a username or an object { username, selection_method? }' },
      ]);
    }

    // The worker analyses competitors given by name like any others.
    expect((await start(plain.body.data.id)).status).toBe(200);
    const done = await entryWhen(plain.body.data.session_id, (e) => e.status === 'completed', 'the run to complete');
    expect(done.competitors.map((c: any) => c.processing_status)).toEqual(['completed', 'completed']);
    const latest = (await conveyor.http().get(`/api/viral-analysis/${plain.body.data.id}/results`).set(ALICE)).body.data.latest;
    const analysed = latest.profiles.filter((p: any) => p.role === 'competitor').map((p: any) => [p.username, p.fetch_status]);
    expect(analysed.sort()).toEqual([
      [competitors[0], 'ok'],
      [competitors[1], 'ok'],
    ]);
  });

  it('keeps session ids per owner: another owner may use the same one, its owner gets 409, and the old global index goes at boot', async () => {
    const CAROL = { 'x-user-id': 'carol' };
    const DAVE = { 'x-user-id': 'dave' };
    const entries = db().collection('viral_ideas_queue');
    // A database made by an older version holds the global unique index on session_id.
    await entries.createIndex({ session_id: 1 }, { unique: true, name: 'session_id_1' });
    expect((await entries.indexes()).map((i) => i.name)).toContain('session_id_1');
    // Any process's boot drops it (here a second API replica; the worker does the same).
    await conveyor.extraApi({});
    const indexes = await entries.indexes();
    expect(indexes.map((i) => i.name)).not.toContain('session_id_1');
    expect(indexes.find((i) => i.name === 'session_id_1_owner_key_1')).toMatchObject({
      key: { session_id: 1, owner_key: 1 },
      unique: true,
    });

    const session = `shared-session-${Date.now()}`;
    const create = (headers: Record<string, string>, primary: string) =>
      conveyor.http().post('/api/viral-ideas/queue').set(headers).send({ session_id: session, primary_username: primary });
    const carols = await create(CAROL, 'carol_profile');
    expect(carols.status).toBe(201);
    // Dave learns nothing of Carol's session, and cannot squat it either: he gets his own entry.
    const daves = await create(DAVE, 'dave_profile');
    expect(daves.status).toBe(201);
    expect(daves.body.data.id).not.toBe(carols.body.data.id);
    // The same owner twice: 409, at once and racing.
    for (const [headers, primary] of [
      [CAROL, 'carol_again'],
      [DAVE, 'dave_again'],
    ] as const) {
      const again = await create(headers, primary);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        error_code: 'SESSION_EXISTS',
        detail: `You already have a viral-ideas queue entry for session ${session}`,
      });
    }
    const racing = await Promise.all([1, 2, 3].map(() => create({ 'x-user-id': 'erin' }, 'erin_profile')));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);

    // Each owner reads their own entry by the session id; an admin the latest submitted.
    const bySession = (headers: Record<string, string>) => conveyor.http().get(`/api/viral-ideas/queue/${session}`).set(headers);
    expect((await bySession(CAROL)).body.data).toMatchObject({ id: carols.body.data.id, primary_username: 'carol_profile' });
    expect((await bySession(DAVE)).body.data).toMatchObject({ id: daves.body.data.id, primary_username: 'dave_profile' });
    const erins = racing.find((r) => r.status === 201)!.body.data.id;
    expect((await bySession(admin)).body.data.id).toBe(erins);
    expect((await bySession(BOB)).status).toBe(404);
    // Starting is by queue_id: Dave cannot start Carol's entry.
    expect((await start(carols.body.data.id, DAVE)).status).toBe(404);
  });

  it('starts one entry now for an admin (POST /queue/{queue_id}/process, seed 001) with the start route’s rules', async () => {
    const { primary } = seedProfiles(services, 'process');
    const entry = await createEntry(ALICE, { primary_username: primary, priority: 3 });
    const processEntry = (id: string, headers: Record<string, string> = admin) =>
      conveyor.http().post(`/api/viral-ideas/queue/${id}/process`).set(headers);

    // Administrators only, even for the entry's owner.
    expect((await processEntry(entry.id, {})).status).toBe(401);
    for (const headers of [ALICE, { 'x-user-id': 'mallory', 'x-user-role': 'admin' }]) {
      const forbidden = await processEntry(entry.id, headers);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error_code).toBe('FORBIDDEN');
    }
    expect((await processEntry('not-a-valid-uuid')).body).toMatchObject({ error_code: 'INVALID_UUID_FORMAT' });
    const unknown = await processEntry('12345678-1234-4234-8234-123456789012');
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'QUEUE_NOT_FOUND']);

    services.gates = { profiles: new Gate() };
    await conveyor.http().post(`/api/v1/queues/${VIRAL_ANALYSIS_QUEUE}/pause`).set(admin).expect(200);
    let jobId: string;
    try {
      const processed = await processEntry(entry.id);
      expect(processed.status).toBe(200);
      expect(processed.body).toMatchObject({
        success: true,
        message: 'Analysis queued successfully - processor will start shortly',
        data: {
          queue_processing: { queue_id: entry.id, status: 'pending', signal_sent: true, processing_state: 'ready_for_pickup' },
          queue_details: { session_id: entry.session_id, primary_username: primary, priority: 3 },
        },
      });
      jobId = processed.body.data.queue_processing.job_id;
      // One run per entry, whichever route asks: the admin again and the owner's start get that run.
      for (const res of [await processEntry(entry.id), await start(entry.id)]) {
        expect(res.body.data.queue_processing).toMatchObject({ job_id: jobId, signal_sent: false, processing_state: 'already_queued' });
      }
      const waiting = (await conveyor.queue(VIRAL_ANALYSIS_QUEUE).getWaiting()).filter(
        (job) => conveyor.payloadOf(job).queueId === entry.id,
      );
      expect(waiting.map((job) => [job.id, job.opts.priority])).toEqual([[jobId, 3]]);
      // The run belongs to the entry's owner, not to the admin who started it.
      expect((await conveyor.http().get(`/api/v1/jobs/${jobId}`).set(ALICE)).body.data).toMatchObject({ type: 'viral-ideas.analysis' });
    } finally {
      await conveyor.http().post(`/api/v1/queues/${VIRAL_ANALYSIS_QUEUE}/resume`).set(admin).expect(200);
    }
    await entryWhen(entry.session_id, (e) => e.status === 'processing', 'the run to start');
    expect((await processEntry(entry.id)).body.data).toMatchObject({ processing_state: 'already_started', status: 'processing' });
    services.gates.profiles!.open();
    const done = await entryWhen(entry.session_id, (e) => e.status === 'completed', 'the run to complete');
    expect(done).toMatchObject({ job_id: jobId!, total_runs: 1 });
    const completed = await processEntry(entry.id);
    expect([completed.status, completed.body.error_code]).toEqual([409, 'INVALID_QUEUE_STATE']);

    // Documented in Swagger, as an admin route.
    const operation = (await conveyor.http().get('/docs-json')).body.paths['/api/viral-ideas/queue/{queue_id}/process'].post;
    expect(operation.summary).toMatch(/admin/);
    expect(operation.security).toEqual([{ adminToken: [] }, { jwt: [] }, { userId: [], gatewaySecret: [] }]);
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '429', '503']);
    expect(operation.responses['429'].description).toBe('RATE_LIMITED, QUEUE_FULL');
  });

  it('refuses the generic retry and requeue of an analysis run: only the product’s routes start one', async () => {
    services.failing.add('retry_down');
    const entry = await createEntry(ALICE, { primary_username: 'retry_down' });
    const jobId = (await start(entry.id)).body.data.queue_processing.job_id;
    await entryWhen(entry.session_id, (e) => e.status === 'failed', 'the entry to fail');
    await conveyor.waitForJob(jobId, 'alice', (j) => j.status === 'failed');
    services.failing.delete('retry_down');
    services.profiles.set('retry_down', { followers: 1, reels: [{ id: 'rd-1', views: 10, posted_at: day(1) }] });

    const refusedAlike = (res: { status: number; body: any }) => {
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        error_code: 'INVALID_JOB_STATE',
        detail: `Job ${jobId} is a viral-ideas.analysis run, which its product starts; run it again with POST /api/viral-ideas/queue/{queue_id}/start`,
        details: { type: 'viral-ideas.analysis', startedBy: 'POST /api/viral-ideas/queue/{queue_id}/start' },
      });
    };
    refusedAlike(await conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set(ALICE));
    // The operator's requeue of the dead letter is a retry too, with or without a new payload.
    refusedAlike(await conveyor.http().post(`/api/v1/dead-letters/${jobId}/requeue`).set(admin).send({}));
    refusedAlike(
      await conveyor
        .http()
        .post(`/api/v1/dead-letters/${jobId}/requeue`)
        .set(admin)
        .send({ data: { queueId: entry.id } }),
    );
    // Nothing ran again behind the entry's back.
    expect(await conveyor.record(jobId)).toMatchObject({ status: 'failed', run: 1 });
    const bullJob = await conveyor.queue(VIRAL_ANALYSIS_QUEUE).getJob(jobId);
    expect(bullJob ? await bullJob.getState() : 'removed').toMatch(/^(failed|removed)$/);
    expect(await entryOf(entry.session_id)).toMatchObject({ status: 'failed', job_id: jobId });

    // The product's start claims the entry for a new run, as its rules say.
    const restarted = await start(entry.id);
    expect(restarted.body.data.queue_processing).toMatchObject({ status: 'failed', signal_sent: true });
    expect(restarted.body.data.queue_processing.job_id).not.toBe(jobId);
    await entryWhen(entry.session_id, (e) => e.status === 'completed', 'the restarted entry to complete');
  });
});
