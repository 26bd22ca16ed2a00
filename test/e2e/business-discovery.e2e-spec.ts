import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conveyor } from '../support/conveyor';
import { testVideo } from '../support/media-fixtures';
import { TargetServer } from '../support/target-server';
import { Gate } from '../support/viral-services';
import { waitFor } from '../support/wait-for';

const USER = { 'x-user-id': 'discovery-user' };
const USER_ID = USER['x-user-id'];
const OTHER = { 'x-user-id': 'someone-else' };
const ADMIN_TOKEN = 'discovery-admin-token-0123456789abcdef';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const WEEK_MS = 7 * 86_400_000;
/** The places stand-in's search for businesses that fail validation. */
const INCOMPLETE = 'incomplete';

interface FlowNode {
  jobId: string;
  type: string;
  conveyorStatus: string;
  role: string;
  key: string | null;
  children: FlowNode[];
}

const flatten = (node: FlowNode): FlowNode[] => [node, ...node.children.flatMap(flatten)];

/** Luigi's reels: five weeks of posts; reel r4 is the outlier; r4 and r2 carry the same video. */
function luigiReels(mediaUrl: (path: string) => string) {
  const views = [100, 200, 150, 1000, 120];
  const start = Date.parse('2026-10-05T12:00:00Z'); // a Monday
  return views.map((v, i) => ({
    id: `r${i + 1}`,
    url: `https://instagram.example/reel/r${i + 1}`,
    caption: [
      'How to fold pizza dough',
      'Why our sauce takes 8 hours?',
      'Meet the team',
      '3 mistakes everyone makes with pasta',
      'Sunday special',
    ][i],
    views: v,
    likes: v / 10,
    comments: 2,
    posted_at: new Date(start + i * WEEK_MS).toISOString(),
    ...(i === 3 ? { video_url: mediaUrl('/r4.mp4') } : i === 1 ? { video_url: mediaUrl('/r2.mp4') } : {}),
  }));
}

/**
 * Seed 004's business-discovery pipeline (issue 15) through the HTTP API and real workers, against
 * loopback stand-ins: a places service with two businesses, their websites (one links Instagram,
 * one does not), a profile service, and the reels' video files (real media FFmpeg made).
 */
describe('Business discovery (seed 004)', () => {
  let conveyor: Conveyor;
  let places: TargetServer;
  let sites: TargetServer;
  let profiles: TargetServer;
  let media: TargetServer;
  let placesFailing = false;
  let profileGate: Gate | null = null;
  let mediaGate: Gate | null = null;
  const storage = mkdtempSync(join(tmpdir(), 'conveyor-discovery-'));

  beforeAll(async () => {
    testVideo();
    media = await TargetServer.start();
    media.respond((_req, res) => {
      void (mediaGate?.opened ?? Promise.resolve()).then(() => {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': testVideo().length });
        res.end(testVideo());
      });
    });
    sites = await TargetServer.start();
    sites.respond((req, res) => {
      const page = (body: string) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html><head><title>${req.url}</title></head><body>${body}</body></html>`);
      };
      if (req.url === '/luigi') return page('<h1>Luigi Trattoria</h1><a href="https://www.instagram.com/luigi_nyc/">Follow us</a>');
      if (req.url === '/bella') return page('<h1>Bella Bakery</h1><p>Fresh bread daily. Call us.</p>');
      if (req.url === '/deli') return page('<h1>Corner Deli</h1><p>Sandwiches.</p>');
      if (req.url === '/silent') return; // never answers
      res.writeHead(404);
      res.end();
    });
    places = await TargetServer.start();
    places.respond((req, res) => {
      if (placesFailing) {
        res.writeHead(503);
        return void res.end('down');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      if (new URL(req.url ?? '/', 'http://places').searchParams.get('q') === INCOMPLETE) {
        return void res.end(
          JSON.stringify({
            places: [
              { name: 'Corner Deli', website: sites.url('/deli') },
              { name: 'Silent Cafe', address: '5 Quiet Ln, New York, NY', website: sites.url('/silent') },
            ],
          }),
        );
      }
      res.end(
        JSON.stringify({
          places: [
            {
              name: 'Luigi Trattoria',
              address: '12 Mulberry St, New York, NY',
              website: sites.url('/luigi'),
              category: 'restaurant',
              rating: 4.6,
            },
            { name: 'Bella Bakery', address: '3 Grand St, New York, NY', website: sites.url('/bella'), rating: 4.2 },
            { address: 'a place without a name is dropped' },
          ],
        }),
      );
    });
    profiles = await TargetServer.start();
    profiles.respond((req, res) => {
      void (profileGate?.opened ?? Promise.resolve()).then(() => {
        if (!req.url?.startsWith('/profiles/luigi_nyc')) {
          res.writeHead(404);
          return void res.end();
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ username: 'luigi_nyc', followers: 1200, reels: luigiReels((p) => media.url(p)) }));
      });
    });
    conveyor = await Conveyor.start({
      workers: 1,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_ADMIN_LIMIT: '100000',
        THROTTLE_SUBMIT_LIMIT: '100000',
        THROTTLE_READ_LIMIT: '100000',
        THROTTLE_IP_LIMIT: '100000',
        PLACES_SERVICE_URL: places.url(''),
        PROFILE_SERVICE_URL: profiles.url(''),
        STORAGE_DIR: storage,
        CIRCUIT_VOLUME_THRESHOLD: '2',
        CIRCUIT_RESET_MS: '60000',
        CIRCUIT_WINDOW_MS: '60000',
        // Silent Cafe's website never answers: its check gives up after this.
        DISCOVERY_PAGE_TIMEOUT_MS: '3000',
      },
    });
  });

  afterAll(async () => {
    profileGate?.open();
    mediaGate?.open();
    await conveyor?.close();
    await Promise.all([places, sites, profiles, media].map((s) => s?.close()));
    rmSync(storage, { recursive: true, force: true });
  });

  // Searches only: the health-check-services schedule also GETs the service's root.
  const placeSearches = () => places.hits.filter((h) => h.path.startsWith('/places?'));
  const submit = async (data: object) => {
    const res = await conveyor.http().post('/api/v1/jobs').set(USER).send({ type: 'discover-with-instagram', data });
    expect(res.status).toBe(201);
    return res.body.data.jobId as string;
  };
  const DISCOVERY = { businessName: 'Downtown Restaurant', location: 'New York, NY', businessType: 'restaurant', radius: 5 };
  const flowOf = async (jobId: string) => (await conveyor.http().get(`/api/v1/jobs/${jobId}/flow`).set(USER)).body.data;
  const finished = (jobId: string, timeoutMs = 90_000) =>
    waitFor(
      async () => {
        const flow = await flowOf(jobId);
        return flow?.flow?.status && flow.flow.status !== 'running' ? flow : undefined;
      },
      { what: `flow ${jobId} to finish`, timeoutMs },
    );
  /** Every completed job of a flow tree returned what its type's result class documents (the check skips the others). */
  const checkFlowResults = async (tree: FlowNode) => {
    for (const node of flatten(tree)) await conveyor.checkDocumentedResult(node.jobId, USER_ID);
  };
  /** A discover-competitors job's flow once done: the search and one validation per place found, all completed. */
  const competitorsFinished = async (jobId: string) => {
    const tree = await finished(jobId);
    expect(flatten(tree).map((n) => [n.type, n.conveyorStatus])).toEqual([
      ['discover-competitors', 'completed'],
      ['validate-business', 'completed'],
      ['validate-business', 'completed'],
    ]);
    await checkFlowResults(tree);
    return tree;
  };

  it('runs the whole chain from one submission to a report and its PDF', async () => {
    const rootId = await submit(DISCOVERY);
    const flow = await finished(rootId);
    expect(flow.flow.status).toBe('completed');

    // The tree lists every job of the chain, each once, all completed.
    const nodes = flatten(flow);
    expect(new Set(nodes.map((n) => n.jobId)).size).toBe(nodes.length);
    expect(nodes.map((n) => n.type).sort()).toEqual(
      [
        'discover-with-instagram',
        'detect-instagram-profiles',
        'detect-instagram-profiles',
        'scrape-instagram-videos',
        'analyze-video-content', // r4 and r2 are the same video: stored and analysed once
        'generate-insights',
        'generate-trend-analysis',
        'generate-competitor-report',
        'export-pdf-report',
      ].sort(),
    );
    expect(nodes.every((n) => n.conveyorStatus === 'completed')).toBe(true);
    expect(flow.flow.total).toBe(9);
    await checkFlowResults(flow);

    // The root's result names the report; places' third entry (no name) was dropped.
    const root = (await conveyor.http().get(`/api/v1/jobs/${rootId}`).set(USER)).body.data;
    expect(root.result).toMatchObject({ reportId: rootId, report: `/api/v1/reports/${rootId}`, businessesFound: 2 });
    const search = new URL(placeSearches()[0].path, 'http://places');
    expect(Object.fromEntries(search.searchParams)).toEqual({ q: 'restaurant', location: 'New York, NY', radius_km: '5' });

    const report = (await conveyor.http().get(`/api/v1/reports/${rootId}`).set(USER)).body.data;
    expect(report.status).toBe('ready');
    expect(report.report.summary).toEqual({ businessesFound: 2, withInstagram: 1, withoutInstagram: 1, videosAnalysed: 2 });
    const [luigi, bella] = report.report.businesses;
    expect(luigi).toMatchObject({ name: 'Luigi Trattoria', validation: { valid: true, problems: [] } });
    expect(luigi.instagram).toMatchObject({ handle: 'luigi_nyc', followers: 1200, reelsCount: 5, medianViews: 150 });
    expect(luigi.instagram.topReels.map((r: { id: string }) => r.id)).toEqual(['r4', 'r2', 'r3']);
    expect(luigi.instagram.topReels[0].outlier_score).toBeCloseTo(6.67, 2);
    // The loud bursts of the test video (20–23 s and 45–48 s) are where it peaks.
    const peaks = luigi.instagram.topReels[0].highlights.map((h: { start_seconds: number }) => h.start_seconds);
    expect(peaks.some((s: number) => s >= 15 && s <= 23)).toBe(true);
    expect(luigi.instagram.topReels[2].highlights).toEqual([]); // r3 has no video
    expect(luigi.insights.cadence).toMatchObject({ postsPerWeek: 1.25, busiestWeekday: 'Monday' });
    expect(luigi.insights.bestHooks.map((h: { pattern: string }) => h.pattern)).toEqual(
      expect.arrayContaining(['how-to', 'question', 'numbered list']),
    );
    // The business without Instagram is reported as such, and did not fail the flow.
    expect(bella).toMatchObject({ name: 'Bella Bakery', instagram: null, noInstagramReason: 'Its website links no Instagram account.' });
    expect(report.report.trends.byBusiness).toHaveLength(1);
    expect(report.report.trends.overall).toHaveLength(5);
    expect(report.pdf).toMatchObject({ url: `/api/v1/reports/${rootId}/pdf` });

    // One stored copy of the two reels' identical video.
    expect(readdirSync(join(storage, 'videos'))).toHaveLength(1);

    const pdf = await conveyor
      .http()
      .get(`/api/v1/reports/${rootId}/pdf`)
      .set(USER)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe('attachment; filename="competitor-report-downtown-restaurant.pdf"');
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 4).toString()).toBe('%PDF');
    expect(bytes.length).toBe(report.pdf.bytes);
    const file = join(storage, 'report.pdf');
    writeFileSync(file, bytes);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    for (const name of ['Luigi Trattoria', 'Bella Bakery', '@luigi_nyc', 'Views per week']) expect(text).toContain(name);

    // Owner or admin only.
    expect((await conveyor.http().get(`/api/v1/reports/${rootId}`).set(OTHER)).status).toBe(404);
    expect((await conveyor.http().get(`/api/v1/reports/${rootId}/pdf`).set(OTHER)).status).toBe(404);
    expect((await conveyor.http().get(`/api/v1/reports/${rootId}`).set(ADMIN)).status).toBe(200);
    const adminPdf = await conveyor.http().get(`/api/v1/reports/${rootId}/pdf`).set(ADMIN);
    expect([adminPdf.status, adminPdf.headers['content-type'], Number(adminPdf.headers['content-length'])]).toEqual([
      200,
      'application/pdf',
      report.pdf.bytes,
    ]);
    const adminFlow = await conveyor.http().get(`/api/v1/jobs/${rootId}/flow`).set(ADMIN);
    expect(adminFlow.status).toBe(200);
    expect(adminFlow.body.data).toMatchObject({ jobId: rootId, flow: { status: 'completed', total: 9 } });
    expect((await conveyor.http().get('/api/v1/reports/not-a-uuid').set(USER)).status).toBe(400);
  }, 150_000);

  it('reports a business without an address and one whose website never answers as invalid, and the flows complete', async () => {
    const expected = [
      { name: 'Corner Deli', valid: false, problems: ['no address'] },
      { name: 'Silent Cafe', valid: false, problems: [expect.stringMatching(/^website: .+/)] },
    ];
    // validate-business, under discover-competitors.
    const competitors = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(USER)
      .send({ type: 'discover-competitors', data: { businessName: 'Incomplete Search', businessType: INCOMPLETE } });
    expect(competitors.status).toBe(201);
    // The whole chain, whose detections validate each business too.
    const rootId = await submit({ ...DISCOVERY, businessName: 'Incomplete Discovery', businessType: INCOMPLETE });

    const tree = await competitorsFinished(competitors.body.data.jobId);
    const validations = await Promise.all(
      tree.children.map(async (n: FlowNode) => (await conveyor.http().get(`/api/v1/jobs/${n.jobId}`).set(USER)).body.data.result.data),
    );
    expect(validations).toEqual(expected.map((e) => expect.objectContaining(e)));
    expect(validations[0].website).toMatchObject({ status: 200, error: null });
    expect(validations[1].website).toMatchObject({ status: null, error: expect.any(String) });

    const flow = await finished(rootId);
    expect(flow.flow.status).toBe('completed');
    expect(flatten(flow).every((n) => n.conveyorStatus === 'completed')).toBe(true);
    await checkFlowResults(flow);
    const report = (await conveyor.http().get(`/api/v1/reports/${rootId}`).set(USER)).body.data;
    expect(report.status).toBe('ready');
    expect(report.report.summary).toMatchObject({ businessesFound: 2, withInstagram: 0, withoutInstagram: 2 });
    const [deli, cafe] = report.report.businesses;
    expect([deli, cafe].map((b: { name: string; validation: object }) => ({ name: b.name, ...b.validation }))).toEqual(expected);
    expect(cafe.noInstagramReason).toMatch(/^Its website could not be read \(.+\), so no Instagram link was found\.$/);
  }, 90_000);

  it('cancelling the root cancels the rest of the flow', async () => {
    profileGate = new Gate(); // Luigi's detection waits on the profile service
    const rootId = await submit({ ...DISCOVERY, businessName: 'Cancelled Discovery' });
    await waitFor(
      async () => flatten(await flowOf(rootId)).some((n) => n.type === 'detect-instagram-profiles' && n.conveyorStatus === 'active'),
      { what: 'a detection to be running', timeoutMs: 30_000 },
    );
    const cancelled = await conveyor.http().post(`/api/v1/jobs/${rootId}/cancel`).set(USER);
    expect(cancelled.status).toBe(200);
    const flow = await finished(rootId, 30_000);
    profileGate.open();
    profileGate = null;
    const nodes = flatten(flow);
    expect(nodes.filter((n) => n.type === 'detect-instagram-profiles').map((n) => n.conveyorStatus)).toContain('cancelled');
    // Nothing after the detections started.
    expect(nodes.map((n) => n.type)).not.toContain('scrape-instagram-videos');
    expect(flow.flow.status).toBe('cancelled');
    await checkFlowResults(flow);
    const report = (await conveyor.http().get(`/api/v1/reports/${rootId}`).set(USER)).body.data;
    expect(report.status).toBe('generating');
    expect((await conveyor.http().get(`/api/v1/reports/${rootId}/pdf`).set(USER)).body.error_code).toBe('REPORT_NOT_READY');
  }, 90_000);

  it('a worker killed mid-flow leaves no job made twice, and the flow still completes', async () => {
    mediaGate = new Gate(); // the scrape waits on its first video
    const rootId = await submit({ ...DISCOVERY, businessName: 'Killed Worker Discovery' });
    await waitFor(
      async () =>
        media.hits.length > 0 &&
        flatten(await flowOf(rootId)).some((n) => n.type === 'scrape-instagram-videos' && n.conveyorStatus === 'active'),
      {
        what: 'the scrape to be downloading',
        timeoutMs: 60_000,
      },
    );
    await conveyor.workers[0].kill();
    await conveyor.startWorker();
    mediaGate.open();
    mediaGate = null;
    const flow = await finished(rootId, 120_000);
    expect(flow.flow.status).toBe('completed');
    const nodes = flatten(flow);
    // Every deterministic id once: the same nine jobs as an undisturbed run.
    expect(new Set(nodes.map((n) => n.jobId)).size).toBe(nodes.length);
    expect(nodes).toHaveLength(9);
    await checkFlowResults(flow);
    const scrape = nodes.find((n) => n.type === 'scrape-instagram-videos')!;
    const record = await conveyor.record(scrape.jobId);
    expect(record?.status).toBe('completed');
    const report = (await conveyor.http().get(`/api/v1/reports/${rootId}`).set(USER)).body.data;
    expect(report.report.summary).toMatchObject({ businessesFound: 2, withInstagram: 1, videosAnalysed: 2 });
    expect(readdirSync(join(storage, 'videos'))).toHaveLength(1);
  }, 200_000);

  it('the types run on their own complete with the results their classes document', async () => {
    const run = async (type: string, data: object) => {
      const res = await conveyor.http().post('/api/v1/jobs').set(USER).send({ type, data });
      expect(res.status).toBe(201);
      // waitForJob checks a completed job's result against its type's result class.
      const job = await conveyor.waitForJob(
        res.body.data.jobId,
        USER_ID,
        (j) => ['completed', 'failed', 'cancelled'].includes(j.conveyorStatus),
        60_000,
      );
      expect({ type, status: job.conveyorStatus, error: job.error ?? null }).toEqual({ type, status: 'completed', error: null });
      return job.result.data;
    };

    // discover-competitors and its validate-business children.
    const competitors = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(USER)
      .send({ type: 'discover-competitors', data: { businessName: 'Standalone Search', businessId: 'biz-1', location: 'New York, NY' } });
    expect(competitors.status).toBe(201);
    await competitorsFinished(competitors.body.data.jobId);

    expect(await run('validate-instagram-profile', { username: 'luigi_nyc' })).toMatchObject({ exists: true, reelsCount: 5 });
    expect(await run('validate-instagram-profile', { username: 'nobody_here' })).toMatchObject({ exists: false });
    expect(await run('analyze-reels', { username: 'luigi_nyc', profileId: 'p-1', top: 2 })).toMatchObject({ profileId: 'p-1' });
    expect(await run('analyze-reels', { username: 'nobody_here' })).toMatchObject({ ranking: null });
    const downloaded = await run('download-video', { url: media.url('/standalone.mp4'), reelId: 'standalone-1' });
    expect(await run('extract-metadata', { checksum: downloaded.checksum })).toMatchObject({ checksum: downloaded.checksum });
    // No OBJECT_STORAGE_URL here: the result says so.
    expect(await run('upload-to-storage', { checksum: downloaded.checksum })).toMatchObject({ uploaded: false, url: null });
  }, 120_000);

  it("applies seed 004's queue defaults: business-discovery 5/3/2 s, instagram-detection 3/5/5 s, video-scraping 2/3/10 s", async () => {
    const res = await conveyor.http().get('/api/v1/queues').set(ADMIN);
    expect(res.status).toBe(200);
    const configurations = Object.fromEntries(
      (res.body.data as Array<{ name: string; configuration: { concurrency: number; retryAttempts: number; retryDelay: number } }>)
        .filter((q) => ['business-discovery', 'instagram-detection', 'video-scraping'].includes(q.name))
        .map((q) => [q.name, [q.configuration.concurrency, q.configuration.retryAttempts, q.configuration.retryDelay]]),
    );
    expect(configurations).toEqual({
      'business-discovery': [5, 3, 2_000],
      'instagram-detection': [3, 5, 5_000],
      'video-scraping': [2, 3, 10_000],
    });
  });

  it('a places service that keeps failing opens its breaker: shown in /health/detailed, later calls fail fast', async () => {
    // A fresh worker, whatever ran before: a breaker's window is per worker, and the searches earlier
    // tests made there succeeded, which would dilute the failure rate this test counts on.
    for (const worker of conveyor.workers.splice(0)) await worker.kill();
    await conveyor.startWorker();
    placesFailing = true;
    const hitsBefore = placeSearches().length;
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(USER)
      .send({ type: 'discover-competitors', data: { businessName: 'Test Restaurant', businessId: 'test123' }, options: { attempts: 3 } });
    expect(res.status).toBe(201);
    const circuits = async () => {
      const body = (await conveyor.http().get('/health/detailed').set(ADMIN)).body;
      return (body.data ?? body).circuits as Array<{ service: string; state: string }>;
    };
    await waitFor(async () => (await circuits())?.some((c) => c.service === 'places' && c.state === 'open'), {
      what: 'the places circuit to open',
      timeoutMs: 60_000,
    });
    const hitsWhenOpened = placeSearches().length;
    expect(hitsWhenOpened - hitsBefore).toBe(6); // two calls of three tries each
    // A later job meets the open circuit: deferred, and nothing reaches the service.
    const later = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(USER)
      .send({ type: 'discover-competitors', data: { businessName: 'Later' } });
    const deferred = await conveyor.waitForJob(
      later.body.data.jobId,
      USER['x-user-id'],
      (j) => j.attemptsMade >= 1 && j.conveyorStatus === 'delayed',
      30_000,
    );
    expect(deferred.error.message).toContain('circuit of');
    expect(placeSearches().length).toBe(hitsWhenOpened);
  }, 120_000);
});
