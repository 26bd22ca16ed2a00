import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conveyor } from '../support/conveyor';
import { LOUD_BURSTS, TEST_VIDEO_SECONDS, testChat, testVideo } from '../support/media-fixtures';
import { SseClient } from '../support/sse-client';
import { TargetServer } from '../support/target-server';
import { Gate } from '../support/viral-services';
import { waitFor } from '../support/wait-for';
import { listen } from '../support/listen';

const USER = { 'x-user-id': 'video-user' };
const ADMIN_TOKEN = 'video-admin-token-0123456789abcdef';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const BANDS: Record<string, [number, number]> = {
  Downloading: [0, 20],
  Transcribing: [20, 40],
  Analyzing: [40, 80],
  'Finding Highlights': [80, 95],
  'Saving results': [95, 100],
};

/** A loopback media host: the test video, its chat log, an oversized file and a redirect to link-local. */
async function mediaHost(): Promise<TargetServer> {
  const host = await TargetServer.start();
  host.respond((req, res) => {
    if (req.url === '/video.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': testVideo().length });
      return void res.end(testVideo());
    }
    if (req.url === '/chat.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(testChat()));
    }
    if (req.url === '/huge.mp4') {
      // No content-length: the cap is enforced on the bytes counted.
      res.writeHead(200, { 'content-type': 'video/mp4' });
      const chunk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < 64; i++) res.write(chunk);
      return void res.end();
    }
    if (req.url === '/to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/video.mp4' });
      return void res.end();
    }
    res.writeHead(404);
    res.end();
  });
  return host;
}

/** Polls seed 002's read until the analysis has ended, and returns it. */
function settledAnalysis(conveyor: Conveyor, jobId: string): Promise<any> {
  return waitFor(
    async () => {
      const job = (await conveyor.http().get(`/api/v1/analysis/${jobId}`).set(USER)).body.data;
      return ['completed', 'failed', 'cancelled'].includes(job?.status) ? job : undefined;
    },
    { what: `analysis ${jobId} to settle`, timeoutMs: 60_000 },
  );
}

const STALE_JOB_FOLDER = '0b9d7c1e-2f4a-4c8e-9a1b-3c5d7e9f1a2b-1-1-deadbeef';
const RUNNING_JOB_FOLDER = '7e6f5a4b-3c2d-4e1f-8a9b-0c1d2e3f4a5b-1-2-cafe0123';

const overlaps = (h: { start_seconds: number; end_seconds: number }, [a, b]: [number, number]) => h.start_seconds < b && h.end_seconds > a;

/** Seed 002's video analysis (KlipStream), computed on a real video FFmpeg made for the test. */
describe('Video analysis (seed 002)', () => {
  let conveyor: Conveyor;
  let media: TargetServer;
  let transcripts: TargetServer;
  let api: string;
  const storage = mkdtempSync(join(tmpdir(), 'conveyor-storage-'));
  let gate = new Gate();

  beforeAll(async () => {
    testVideo();
    // What a SIGKILLed worker leaves: a job folder untouched for longer than the longest attempt.
    mkdirSync(join(storage, STALE_JOB_FOLDER));
    writeFileSync(join(storage, STALE_JOB_FOLDER, 'video'), 'partial');
    const fourHoursAgo = new Date(Date.now() - 4 * 3600_000);
    utimesSync(join(storage, STALE_JOB_FOLDER), fourHoursAgo, fourHoursAgo);
    mkdirSync(join(storage, RUNNING_JOB_FOLDER));
    // Not a job's folder (stored videos live beside job folders): kept however old.
    mkdirSync(join(storage, 'videos'));
    utimesSync(join(storage, 'videos'), fourHoursAgo, fourHoursAgo);
    media = await mediaHost();
    transcripts = await TargetServer.start();
    transcripts.respond((req, res) => {
      void gate.opened.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            segments: [
              { start: 45, end: 48, text: 'What an incredible, amazing win!' },
              { start: 1, end: 0, text: 'bad' },
            ],
          }),
        );
      });
    });
    conveyor = await Conveyor.start({
      workers: 1,
      env: {
        TRANSCRIPT_SERVICE_URL: transcripts.url(''),
        STORAGE_DIR: storage,
        VIDEO_MAX_BYTES: String(3 * 1024 * 1024),
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_ADMIN_LIMIT: '1000',
        THROTTLE_QUEUE_ADMIN_LIMIT: '1000',
        VIDEO_SUBMIT_IP_LIMIT: '1000',
        VIDEO_PROGRESS_WEBHOOK_MS: '200',
        WEBHOOK_SIGNING_SECRET: 'video-webhook-secret-0123456789',
      },
    });
    api = await listen(conveyor.app);
    // The worker swept the stale folder at start and left the fresh one (another worker's job).
    expect(readdirSync(storage).sort()).toEqual([RUNNING_JOB_FOLDER, 'videos']);
    rmSync(join(storage, RUNNING_JOB_FOLDER), { recursive: true });
    rmSync(join(storage, 'videos'), { recursive: true });
  });

  afterAll(async () => {
    gate.open();
    await conveyor?.close();
    await media?.close();
    await transcripts?.close();
  });

  const submit = (body: object) => conveyor.http().post('/api/v1/analysis').set(USER).send(body);
  const read = async (jobId: string) => (await conveyor.http().get(`/api/v1/analysis/${jobId}`).set(USER)).body.data;
  const settled = (jobId: string) => settledAnalysis(conveyor, jobId);

  it('runs the stages in order with progress inside their bands, and finds a highlight over each loud burst', async () => {
    expect(testVideo().length).toBeLessThan(3 * 1024 * 1024);
    gate = new Gate();
    const res = await submit({
      video_id: 'vod-1',
      video_url: media.url('/video.mp4'),
      chat_url: media.url('/chat.json'),
      priority: 'high',
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      job_id: expect.any(String),
      video_id: 'vod-1',
      status: 'queued',
      queue_position: expect.any(Number),
      estimated_wait_seconds: expect.any(Number),
    });
    const jobId: string = res.body.data.job_id;
    const stream = await SseClient.open(api, `/api/v1/jobs/${jobId}/events`, USER);
    // Held in transcription: the read shows the stage, inside its band, and an estimate.
    await waitFor(() => transcripts.hits.length === 1, { what: 'the transcription request' });
    const during = await waitFor(
      async () => {
        const job = await read(jobId);
        return job.progress.current_stage === 'Transcribing' && job.progress.percentage > 20 ? job : undefined;
      },
      { what: 'progress inside the Transcribing band' },
    );
    expect(during).toMatchObject({ status: 'processing', priority: 'HIGH' });
    expect(during.progress.percentage).toBeLessThan(40);
    expect(transcripts.hits[0]).toMatchObject({ method: 'POST', path: '/transcriptions' });
    expect(transcripts.hits[0].headers['content-type']).toBe('audio/wav');
    gate.open();

    const job = await settled(jobId);
    await stream.end();
    expect(job).toMatchObject({ status: 'completed', progress: { percentage: 100, current_stage: 'Completed' } });
    // The stream may open after the first stage began: the snapshot then carries it.
    const snapshot = stream.events.find((e) => e.event === 'snapshot')!.data.progress as { percent: number; step: string | null };
    const progress = [
      ...(snapshot.step ? [snapshot as { percent: number; step: string }] : []),
      ...stream.events.filter((e) => e.event === 'progress').map((e) => e.data as { percent: number; step: string }),
    ];
    expect([...new Set(progress.map((p) => p.step))]).toEqual(Object.keys(BANDS));
    for (const p of progress) {
      const [low, high] = BANDS[p.step];
      expect([p.step, p.percent >= low && p.percent <= high]).toEqual([p.step, true]);
    }
    expect(stream.last()).toMatchObject({ event: 'completed', data: { status: 'completed' } });

    const { result } = job;
    expect(result.media).toMatchObject({
      duration_seconds: expect.closeTo(TEST_VIDEO_SECONDS, 0),
      video: { codec: 'h264', width: 320, height: 240, frame_rate: 25 },
      audio: { codec: 'aac', channels: 1 },
    });
    expect(result.loudness_timeline).toHaveLength(TEST_VIDEO_SECONDS);
    expect(result.loudness_timeline[21]).toBeGreaterThan(result.loudness_timeline[10] + 20);
    for (const burst of LOUD_BURSTS) expect(result.highlights.some((h: any) => overlaps(h, burst))).toBe(true);
    const second = result.highlights.find((h: any) => overlaps(h, LOUD_BURSTS[1]));
    expect(second.reasons).toEqual(expect.arrayContaining(['loudness', 'chat', 'sentiment']));
    expect(result.chat).toEqual({ messages: testChat().length, users: 9 });
    expect(result.transcript.segments).toEqual([{ start: 45, end: 48, text: 'What an incredible, amazing win!' }]);
    expect(result.notes).toEqual([]);
    // Kept for the owner after Bull forgets the job, and the job's files are gone.
    const db = conveyor.app.get<Connection>(getConnectionToken());
    expect(await db.collection('video_analyses').countDocuments({ _id: jobId as never })).toBe(1);
    expect(readdirSync(storage)).toEqual([]);
    // The job verbs work on these jobs, in the guide's words.
    const status = await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set(USER);
    expect(status.body.data).toMatchObject({ status: 'completed', conveyorStatus: 'completed' });
    await conveyor.checkDocumentedResult(jobId, USER['x-user-id']);
    expect((await conveyor.http().get(`/api/v1/analysis/${jobId}`).set({ 'x-user-id': 'someone-else' })).status).toBe(404);
  });

  it('sends progress webhooks in the guide’s shape with the bearer token: each stage, every interval while processing, and the end', async () => {
    const receiver = await TargetServer.start();
    gate = new Gate();
    try {
      const res = await submit({
        video_id: 'vod-hooks',
        video_url: media.url('/video.mp4'),
        callback_url: receiver.url('/klip'),
        callback_token: 'klip-token-123',
      });
      const jobId: string = res.body.data.job_id;
      const bodies = () => receiver.hitsOn('/klip').map((h) => JSON.parse(h.body));
      // Held in transcription: the periodic webhook keeps reporting the stage.
      await waitFor(() => bodies().filter((b) => b.progress.current_stage === 'Transcribing').length >= 3, {
        what: 'periodic webhooks during Transcribing',
      });
      gate.open();
      await waitFor(() => bodies().some((b) => b.status === 'completed'), { what: 'the completed webhook' });
      const hits = receiver.hitsOn('/klip');
      expect(
        hits.every((h) => h.headers.authorization === 'Bearer klip-token-123' && /^v1,/.test(String(h.headers['webhook-signature']))),
      ).toBe(true);
      for (const body of bodies()) {
        expect(body).toEqual({
          job_id: jobId,
          video_id: 'vod-hooks',
          status: expect.stringMatching(/^(processing|completed)$/),
          progress: { percentage: expect.any(Number), current_stage: expect.any(String), estimated_completion_seconds: expect.any(Number) },
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        });
        const [low, high] = BANDS[body.progress.current_stage] ?? [100, 100];
        expect(body.progress.percentage >= low && body.progress.percentage <= high).toBe(true);
      }
      // The guide's stages only: saving the results is the end of Finding Highlights.
      expect(new Set(bodies().map((b) => b.progress.current_stage))).toEqual(
        new Set(['Downloading', 'Transcribing', 'Analyzing', 'Finding Highlights', 'Completed']),
      );
      expect(bodies().find((b) => b.status === 'completed').progress).toEqual({
        percentage: 100,
        current_stage: 'Completed',
        estimated_completion_seconds: 0,
      });
    } finally {
      gate.open();
      await receiver.close();
    }
  });

  it('fails a download over the size cap at once, with a clear error, no retry and a failed webhook', async () => {
    const receiver = await TargetServer.start();
    try {
      const res = await submit({ video_id: 'vod-huge', video_url: media.url('/huge.mp4'), callback_url: receiver.url('/klip') });
      const job = await settled(res.body.data.job_id);
      expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/larger than the 3145728-byte limit/) });
      expect(media.hitsOn('/huge.mp4')).toHaveLength(1);
      expect(readdirSync(storage)).toEqual([]);
      const failed = await waitFor(
        () =>
          receiver
            .hitsOn('/klip')
            .map((h) => JSON.parse(h.body))
            .find((b) => b.status === 'failed'),
        {
          what: 'the failed webhook',
        },
      );
      expect(failed).toMatchObject({ job_id: res.body.data.job_id, video_id: 'vod-huge', progress: { current_stage: 'Downloading' } });
      expect(receiver.hitsOn('/klip')[0].headers.authorization).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });

  it('refuses a link-local video_url at submit, and a redirect to one when downloading', async () => {
    const direct = await submit({ video_id: 'vod-x', video_url: 'http://169.254.169.254/latest/video.mp4' });
    expect(direct.status).toBe(400);
    expect(direct.body.error_code).toBe('TARGET_NOT_ALLOWED');
    const redirected = await settled((await submit({ video_id: 'vod-y', video_url: media.url('/to-metadata') })).body.data.job_id);
    expect(redirected).toMatchObject({ status: 'failed', error: expect.stringMatching(/refused/) });
    const video_url = media.url('/video.mp4');
    const refusals: Array<[object, string]> = [
      [{ video_id: 'v', video_url, priority: 'CRITICAL' }, 'priority'],
      [{ video_url }, 'video_id'],
      [{ video_id: 'v', video_url, chat_url: 'http://169.254.169.254/chat.json' }, 'chat_url'],
      [{ video_id: 'v', video_url, callback_url: 'http://[::ffff:169.254.169.254]/hook' }, 'callback_url'],
      [{ video_id: 'v', video_url, callback_token: 'two\nlines' }, 'callback_token'],
    ];
    for (const [body, field] of refusals) {
      const refused = await submit(body);
      expect([field, refused.status]).toEqual([field, 400]);
      expect(JSON.stringify(refused.body)).toContain(field);
    }
  });

  // Last in this suite: it pauses the queue and fills it.
  it('puts URGENT ahead of LOW, and admits at most 100 queued analyses (429 QUEUE_FULL)', async () => {
    // Seed 002's own route: without ?queue= it pauses the video-analysis queue.
    expect((await conveyor.http().post('/api/v1/queue/pause').set(ADMIN)).status).toBe(200);
    const low = await submit({ video_id: 'vod-low', video_url: media.url('/video.mp4'), priority: 1 });
    const normal = await submit({ video_id: 'vod-normal', video_url: media.url('/video.mp4') });
    const urgent = await submit({ video_id: 'vod-urgent', video_url: media.url('/video.mp4'), priority: 'Urgent' });
    expect([low.body.data.queue_position, normal.body.data.queue_position, urgent.body.data.queue_position]).toEqual([1, 1, 1]);
    expect((await read(urgent.body.data.job_id)).priority).toBe('URGENT');
    const waiting = await conveyor.http().get('/api/v1/queues/video-analysis/jobs?status=paused&limit=10').set(ADMIN);
    expect(waiting.body.data.items.map((j: { jobId: string }) => j.jobId)).toEqual([
      urgent.body.data.job_id,
      normal.body.data.job_id,
      low.body.data.job_id,
    ]);
    // The job verbs take the guide's scale for these jobs: LOW raised to URGENT goes behind the URGENT one.
    const raised = await conveyor.http().put(`/api/v1/jobs/${low.body.data.job_id}/priority`).set(USER).send({ priority: 'URGENT' });
    expect(raised.status).toBe(200);
    expect((await read(low.body.data.job_id)).priority).toBe('URGENT');
    const reordered = await conveyor.http().get('/api/v1/queues/video-analysis/jobs?status=paused&limit=10').set(ADMIN);
    expect(reordered.body.data.items.map((j: { jobId: string }) => j.jobId)).toEqual([
      urgent.body.data.job_id,
      low.body.data.job_id,
      normal.body.data.job_id,
    ]);
    const badLevel = await conveyor.http().put(`/api/v1/jobs/${normal.body.data.job_id}/priority`).set(USER).send({ priority: 7 });
    expect(badLevel.status).toBe(400);
    expect(JSON.stringify(badLevel.body)).toContain('URGENT, HIGH, NORMAL or LOW');

    const fill = Array.from({ length: 97 }, (_, i) => ({
      type: 'video.analysis',
      data: { video_id: `fill-${i}`, video_url: media.url('/video.mp4') },
    }));
    const bulk = await conveyor.http().post('/api/v1/jobs/bulk').set(USER).send({ jobs: fill });
    expect(bulk.body.data.accepted).toBe(97);
    const refused = await submit({ video_id: 'vod-101', video_url: media.url('/video.mp4') });
    expect(refused.status).toBe(429);
    expect(refused.body.error_code).toBe('QUEUE_FULL');
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await conveyor.http().post('/api/v1/queue/clear').set(ADMIN)).body.data.affected).toBe(100);
  });
});

/** Without a transcript service the analysis still runs, from audio and chat, and says so. */
describe('Video analysis without a transcript service', () => {
  let conveyor: Conveyor;
  let media: TargetServer;

  beforeAll(async () => {
    testVideo();
    media = await mediaHost();
    conveyor = await Conveyor.start({ workers: 1 });
  });

  afterAll(async () => {
    await conveyor?.close();
    await media?.close();
  });

  it('goes on without a chat log it cannot use, and says why', async () => {
    const res = await conveyor
      .http()
      .post('/api/v1/analysis')
      .set(USER)
      .send({ video_id: 'vod-3', video_url: media.url('/video.mp4'), chat_url: media.url('/not-json') });
    const job = await settledAnalysis(conveyor, res.body.data.job_id);
    expect(job.status).toBe('completed');
    expect(job.result.notes).toEqual(expect.arrayContaining([expect.stringMatching(/chat log could not be used: chat_url answered 404/)]));
    // The job's own result is the summary; the full result lives in video_analyses.
    const status = (await conveyor.http().get(`/api/v1/jobs/${res.body.data.job_id}/status`).set(USER)).body.data;
    expect(status.result).toMatchObject({ video_id: 'vod-3', stored_in: 'video_analyses', highlights: expect.any(Array) });
    expect(status.result).not.toHaveProperty('loudness_timeline');
    await conveyor.checkDocumentedResult(res.body.data.job_id, USER['x-user-id']);
  });

  it('skips transcription with a note and still finds both bursts', async () => {
    const res = await conveyor
      .http()
      .post('/api/v1/analysis')
      .set(USER)
      .send({ video_id: 'vod-2', video_url: media.url('/video.mp4') });
    expect(res.status).toBe(201);
    const job = await settledAnalysis(conveyor, res.body.data.job_id);
    expect(job.status).toBe('completed');
    expect(job.result.transcript).toBeNull();
    expect(job.result.chat).toBeNull();
    expect(job.result.notes).toEqual([expect.stringMatching(/TRANSCRIPT_SERVICE_URL/)]);
    for (const burst of LOUD_BURSTS) expect(job.result.highlights.some((h: any) => overlaps(h, burst))).toBe(true);
    await conveyor.checkDocumentedResult(res.body.data.job_id, USER['x-user-id']);
  });
});
