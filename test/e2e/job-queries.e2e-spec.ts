import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';

/** GET /api/v1/jobs (filters, pagination) and GET /api/v1/jobs/:jobId/status. */
describe('Job lists and the compact status', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    conveyor = await Conveyor.start();
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const submit = (user: string, path: string, options: object = {}) => conveyor.submitHttpJob(user, target.url(path), options);
  const list = (user: string, query: Record<string, string | number> = {}) =>
    conveyor.http().get('/api/v1/jobs').query(query).set('x-user-id', user);

  describe('compact status', () => {
    it('gives status, progress and step, and the result once completed', async () => {
      target.respond((_req, res) => res.end('done'));
      const jobId = await submit('stat', '/status-ok');
      await conveyor.waitForJob(jobId, 'stat', (j) => j.status === 'completed');
      const res = await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set('x-user-id', 'stat');
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        jobId,
        status: 'completed',
        conveyorStatus: 'completed',
        progress: 100,
        currentStep: null,
        current_step: null,
        result: expect.objectContaining({ statusCode: 200 }),
      });
    });

    it('gives the error once failed, and 404 to anyone else', async () => {
      target.respond((_req, res) => {
        res.statusCode = 503;
        res.end();
      });
      const jobId = await submit('stat', '/status-fails', { attempts: 1 });
      await conveyor.waitForJob(jobId, 'stat', (j) => j.status === 'failed');
      const res = await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set('x-user-id', 'stat');
      expect(res.body.data).toMatchObject({ jobId, status: 'failed', error: { code: 'UNEXPECTED_STATUS' } });
      expect(res.body.data).not.toHaveProperty('result');
      expect((await conveyor.http().get(`/api/v1/jobs/${jobId}/status`).set('x-user-id', 'other')).status).toBe(404);
    });
  });

  describe('list', () => {
    const USER = 'lister';
    let ids: string[];

    beforeAll(async () => {
      target.respond((_req, res) => res.end('ok'));
      ids = [];
      for (let i = 0; i < 5; i++) ids.push(await submit(USER, `/list-${i}`));
      for (const id of ids) await conveyor.waitForJob(id, USER, (j) => j.status === 'completed');
      ids.push(await submit(USER, '/list-delayed', { delay: 600_000 }));
      await submit('someone-else', '/not-mine');
    });

    it('lists only the caller’s jobs, newest first', async () => {
      const res = await list(USER);
      expect(res.status).toBe(200);
      expect(res.body.data.items.map((j: { jobId: string }) => j.jobId)).toEqual([...ids].reverse());
      expect(res.body.data.nextCursor).toBeNull();
    });

    it('pages with a cursor without skipping or repeating a job', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await list(USER, { limit: 2, ...(cursor ? { cursor } : {}) });
        expect(res.body.data.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.items.map((j: { jobId: string }) => j.jobId));
        cursor = res.body.data.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual([...ids].reverse());
    });

    it('filters by status, queue, type and creation time', async () => {
      const only = async (query: Record<string, string>) =>
        (await list(USER, query)).body.data.items.map((j: { jobId: string }) => j.jobId);
      expect(await only({ status: 'delayed' })).toEqual([ids[5]]);
      expect(await only({ status: 'completed' })).toHaveLength(5);
      expect(await only({ queue: 'http', type: 'http.request' })).toHaveLength(6);
      expect(await only({ type: 'report.generate' })).toEqual([]);
      expect(await only({ createdFrom: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
      expect(await only({ createdTo: new Date(Date.now() + 60_000).toISOString() })).toHaveLength(6);
    });

    it.each([
      ['an operator in a query key', { 'status[$ne]': 'x' }, 'status[$ne]'],
      ['an unknown key', { owner: 'someone-else' }, 'owner'],
      ['an unknown status', { status: 'done' }, 'status'],
      ['a limit over the cap', { limit: 101 }, 'limit'],
      ['a limit of zero', { limit: 0 }, 'limit'],
      ['a bad date', { createdFrom: 'yesterday' }, 'createdFrom'],
      ['a forged cursor', { cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
      ['a cursor with an impossible date', { cursor: Buffer.from('[1e20,"x"]').toString('base64url') }, 'cursor'],
    ])('answers 400 to %s, never other callers’ jobs', async (_what, query, field) => {
      const res = await list(USER, query);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });
});
