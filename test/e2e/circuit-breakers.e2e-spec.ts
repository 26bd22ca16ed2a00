import { Conveyor } from '../support/conveyor';
import { testVideo } from '../support/media-fixtures';
import { freePort } from '../support/ports';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = { 'x-user-id': 'circuit-user' };
const ADMIN_TOKEN = 'circuit-admin-token-0123456789abcdef';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * Circuit breakers of downstream services (issue 15): the transcript service fails until the
 * breaker opens; then calls fail fast (nothing reaches the service), the job's attempt is deferred
 * rather than spent, `/health/detailed` and the worker's `/metrics` show the open circuit, and a
 * probe after CIRCUIT_RESET_MS closes it once the service answers again.
 */
describe('Circuit breakers', () => {
  let conveyor: Conveyor;
  let media: TargetServer;
  let transcripts: TargetServer;
  let metricsPort: number;
  let failing = true;

  beforeAll(async () => {
    testVideo();
    media = await TargetServer.start();
    media.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': testVideo().length });
      res.end(testVideo());
    });
    transcripts = await TargetServer.start();
    transcripts.respond((_req, res) => {
      if (failing) {
        res.writeHead(503);
        return void res.end('down');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ segments: [{ start: 1, end: 2, text: 'back again' }] }));
    });
    metricsPort = await freePort();
    conveyor = await Conveyor.start({
      workers: 0,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_ADMIN_LIMIT: '100000',
        TRANSCRIPT_SERVICE_URL: transcripts.url(''),
        CIRCUIT_VOLUME_THRESHOLD: '2',
        // Long enough that the deferred attempt's wait (until the probe) is seen by polling even
        // on a slow machine: the service must come back before the probe, or the probe fails.
        CIRCUIT_RESET_MS: '15000',
        CIRCUIT_WINDOW_MS: '8000',
      },
    });
    await conveyor.startWorker({ WORKER_METRICS_PORT: String(metricsPort), WORKER_METRICS_HOST: '127.0.0.1' });
  });

  afterAll(async () => {
    await conveyor?.close();
    await media?.close();
    await transcripts?.close();
  });

  // The transcriptions only: the health-check-services schedule also GETs the service's URL.
  const transcriptCalls = () => transcripts.hits.filter((h) => h.path === '/transcriptions').length;
  const circuits = async () => {
    const body = (await conveyor.http().get('/health/detailed').set(ADMIN)).body;
    return (body.data ?? body).circuits as Array<{ service: string; state: string; workers: Record<string, number> }>;
  };
  const workerMetrics = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  it('opens after repeated failures, fails fast without spending the attempt, and closes after a probe once the service is back', async () => {
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(USER)
      .send({
        type: 'video.analysis',
        data: { video_id: 'vod-circuit', video_url: media.url('/v.mp4') },
        options: { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
      });
    expect(res.status).toBe(201);
    const jobId = res.body.data.jobId as string;

    // Two attempts fail (three tries each), and the breaker opens.
    await waitFor(async () => (await circuits())?.some((c) => c.service === 'transcript' && c.state === 'open'), {
      what: 'the transcript circuit to open',
      timeoutMs: 30_000,
    });
    const callsWhenOpened = transcriptCalls();
    expect(callsWhenOpened).toBe(6);
    expect((await circuits()).find((c) => c.service === 'transcript')).toMatchObject({ state: 'open', workers: { open: 1 } });
    const health = (await conveyor.http().get('/health/detailed').set(ADMIN)).body;
    expect(JSON.stringify((health.data ?? health).reasons)).toContain('circuit of transcript open');
    expect(await workerMetrics()).toContain(`conveyor_circuit_state{service="${new URL(transcripts.url('')).origin}"} 2`);

    // The third attempt met the open circuit: deferred, not spent (the job still has an attempt for the probe).
    const deferred = await conveyor.waitForJob(
      jobId,
      USER['x-user-id'],
      (j) => j.attemptsMade >= 3 && j.conveyorStatus !== 'active',
      20_000,
    );
    expect(deferred.conveyorStatus).toBe('delayed'); // seed 002's word for it: queued
    expect(deferred.error.message).toContain('circuit of');
    expect(transcriptCalls()).toBe(callsWhenOpened); // nothing reached the service

    // The service comes back; after CIRCUIT_RESET_MS one probe goes through, succeeds, and closes the circuit.
    failing = false;
    const done = await conveyor.waitForJob(jobId, USER['x-user-id'], (j) => ['completed', 'failed'].includes(j.conveyorStatus), 45_000);
    expect(done.conveyorStatus).toBe('completed');
    expect(done.attemptsMade).toBe(4); // three attempts allowed, one of them given back
    expect(transcriptCalls()).toBe(callsWhenOpened + 1);
    await waitFor(async () => (await circuits()).find((c) => c.service === 'transcript')?.state === 'closed', {
      what: 'the circuit to close',
    });
    expect(await workerMetrics()).toContain(`conveyor_circuit_state{service="${new URL(transcripts.url('')).origin}"} 0`);
  }, 120_000);
});
