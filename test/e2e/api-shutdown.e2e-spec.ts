import { JobStatus, QueueName } from '@conveyor/contracts';
import request from 'supertest';
import { Conveyor } from '../support/conveyor';
import { SseClient } from '../support/sse-client';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'during-a-deploy';
const SUBMITS = 50;
const DELAY_MS = 1_500;

/**
 * RELIABILITY F6: SIGTERM to an API process during 50 slow (`Prefer: wait`) submits and an open
 * event stream. Readiness turns 503 at once; every request started gets an answer; the stream
 * ends with a `reconnect` event; every job answered 2xx is in MongoDB and in Bull; exit 0.
 */
describe('API process shutdown (SIGTERM)', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    // The watched job outlasts the test's shutdown, so its stream is still open then.
    target.respond((req, res) => void setTimeout(() => res.end('ok'), req.url === '/watched' ? 15_000 : 1_000).unref());
    conveyor = await Conveyor.start({ workers: 1 });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  it('drains: readiness 503, every request answered, streams told to reconnect, nothing half-submitted', async () => {
    const api = await conveyor.startApiProcess({ API_SHUTDOWN_DELAY_MS: String(DELAY_MS), API_SHUTDOWN_GRACE_MS: '10000' });
    const http = () => request(api.url);
    expect((await http().get('/health/ready')).body).toEqual({ success: true, data: { ready: true } });

    const watched = (await http().post('/api/v1/jobs').set('x-user-id', USER).send(job('/watched'))).body.data.jobId;
    const stream = await SseClient.open(api.url, `/api/v1/jobs/${watched}/events`, { 'x-user-id': USER });
    expect(stream.status).toBe(200);

    const answers = Array.from({ length: SUBMITS }, (_, i) =>
      http()
        .post('/api/v1/jobs')
        .set('x-user-id', USER)
        .set('prefer', 'wait=20')
        .send(job(`/slow-${i}`))
        .then(
          (res) => ({ status: res.status, jobId: res.body?.data?.jobId as string | undefined, code: res.body?.error_code }),
          (error: Error) => ({ status: 0, jobId: undefined, code: error.message }),
        ),
    );
    await waitFor(() => target.hits.length >= 3, { what: 'the first jobs to run' });

    api.process.signal('SIGTERM');
    api.process.signal('SIGTERM'); // repeated by an impatient supervisor: changes nothing
    const notReady = await waitFor(
      async () => {
        const res = await http().get('/health/ready');
        return res.status === 503 ? res : undefined;
      },
      { what: 'readiness to turn 503' },
    );
    expect(notReady.body).toMatchObject({ success: false, error_code: 'SERVICE_UNAVAILABLE' });

    const results = await Promise.all(answers);
    // Every request got an HTTP answer: the job's outcome (200), accepted (202 or 201), or 503.
    for (const r of results) expect([200, 201, 202, 503]).toContain(r.status);
    const accepted = results.filter((r) => r.status < 300).map((r) => r.jobId!);
    expect(accepted.length).toBeGreaterThan(0);
    const queue = conveyor.queue(QueueName.Http);
    for (const jobId of accepted) {
      expect([jobId, (await conveyor.record(jobId))?.status]).toEqual([jobId, expect.any(String)]);
      expect([jobId, Boolean(await queue.getJob(jobId))]).toEqual([jobId, true]);
    }

    await waitFor(() => stream.closed, { what: 'the event stream to end' });
    expect(stream.last()).toMatchObject({ event: 'reconnect', data: { reason: expect.stringContaining('reconnect') } });
    expect(await api.process.exited).toEqual({ code: 0, signal: null });

    // Nothing accepted is lost: the worker finishes every one of them.
    for (const jobId of accepted) await conveyor.waitForJob(jobId, USER, (j) => j.status === JobStatus.Completed, 30_000);
  });

  function job(path: string) {
    return { type: 'http.request', data: { url: target.url(path), method: 'GET' } };
  }
});
