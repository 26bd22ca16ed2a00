import { JobStatus, QueueName } from '@conveyor/contracts';
import { JobRecord } from '@conveyor/database';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'alice';
const ADMIN_TOKEN = 'dead-letters-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Dead letters (README "Dead letters"): failed jobs operators can list, requeue and dismiss. */
describe('Dead letters', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    // Paths under /broken answer 500, so jobs calling them fail every attempt; others answer 200.
    target.respond((req, res) => {
      res.statusCode = req.url?.startsWith('/broken') ? 500 : 200;
      res.end();
    });
    conveyor = await Conveyor.start({
      env: { ADMIN_API_TOKEN: ADMIN_TOKEN, THROTTLE_ADMIN_LIMIT: '1000', RECONCILE_INTERVAL_MS: '500', RECONCILE_GRACE_MS: '1000' },
    });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const submit = (path: string, options: object = { attempts: 2, backoff: { type: 'fixed', delay: 50 } }) =>
    conveyor.submitHttpJob(USER, target.url(path), options);
  const recordWhen = (jobId: string, accept: (r: JobRecord) => boolean) =>
    waitFor(
      async () => {
        const record = await conveyor.record(jobId);
        return record && accept(record) ? record : undefined;
      },
      { what: `the record of ${jobId}` },
    );
  const failedJob = async (path: string) => {
    const jobId = await submit(path);
    await recordWhen(jobId, (r) => r.status === JobStatus.Failed);
    return jobId;
  };
  const list = async (query = '') => {
    const res = await conveyor.http().get(`/api/v1/dead-letters${query}`).set(admin);
    expect(res.status).toBe(200);
    return res.body.data as { items: Array<{ jobId: string; failedAt: string }>; nextCursor: string | null };
  };
  const listedIds = async (query = '') => (await list(query)).items.map((i) => i.jobId);

  it('is for administrators only: 401 without identity, 403 for anyone else', async () => {
    const jobId = await failedJob('/broken/auth');
    const calls = [
      () => conveyor.http().get('/api/v1/dead-letters'),
      () => conveyor.http().get(`/api/v1/dead-letters/${jobId}`),
      () => conveyor.http().post(`/api/v1/dead-letters/${jobId}/requeue`),
      () => conveyor.http().delete(`/api/v1/dead-letters/${jobId}`),
    ];
    for (const call of calls) {
      const anonymous = await call();
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error_code).toBe('UNAUTHENTICATED');
      for (const headers of [{ 'x-user-id': USER }, { 'x-user-id': 'mallory', 'x-user-role': 'admin' }]) {
        const forbidden = await call().set(headers);
        expect(forbidden.status).toBe(403);
        expect(forbidden.body.error_code).toBe('FORBIDDEN');
      }
      expect((await call().set({ authorization: 'Bearer not-the-admin-token' })).status).toBe(401);
    }
    // Nothing changed hands: the job is still a failed dead letter.
    expect(await conveyor.record(jobId)).toMatchObject({ status: 'failed', run: 1, dismissed: null });
  });

  it('lists a job that failed all its attempts with its error, stack excerpt, attempts and payload', async () => {
    const jobId = await failedJob('/broken/list');
    const expected = {
      jobId,
      type: 'http.request',
      queue: 'http',
      owner: `user:${USER}`,
      error: {
        message: 'Expected status 2xx, got 500',
        code: 'UNEXPECTED_STATUS',
        stack: expect.stringContaining('UnexpectedStatusError'),
      },
      attemptsMade: 2,
      maxAttempts: 2,
      run: 1,
      data: { url: target.url('/broken/list'), method: 'GET' },
    };
    expect((await list()).items).toContainEqual(expect.objectContaining(expected));
    const one = await conveyor.http().get(`/api/v1/dead-letters/${jobId}`).set(admin);
    expect(one.status).toBe(200);
    expect(one.body.data).toMatchObject(expected);
    expect(Date.parse(one.body.data.failedAt)).toBeGreaterThanOrEqual(Date.parse(one.body.data.createdAt));

    expect(await listedIds('?queue=http&type=http.request')).toContain(jobId);
    expect(await listedIds('?type=something.else')).toEqual([]);
    for (const bad of ['?queue=webhooks', '?limit=0', '?limit=101', '?status=failed', '?cursor=not-a-cursor']) {
      const res = await conveyor.http().get(`/api/v1/dead-letters${bad}`).set(admin);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('VALIDATION_FAILED');
    }
  });

  it('lists only failed jobs: another status is "not found"', async () => {
    const completed = await submit('/fine');
    await recordWhen(completed, (r) => r.status === JobStatus.Completed);
    expect(await listedIds()).not.toContain(completed);
    for (const call of [
      conveyor.http().get(`/api/v1/dead-letters/${completed}`).set(admin),
      conveyor.http().post(`/api/v1/dead-letters/${completed}/requeue`).set(admin),
      conveyor.http().delete(`/api/v1/dead-letters/${completed}`).set(admin),
    ]) {
      const res = await call;
      expect(res.status).toBe(404);
      expect(res.body.error_code).toBe('JOB_NOT_FOUND');
    }
    expect((await conveyor.http().get('/api/v1/dead-letters/not-a-uuid').set(admin)).status).toBe(400);
  });

  it('pages through every dead letter with a cursor, most recently failed first', async () => {
    for (const path of ['/broken/page-1', '/broken/page-2']) await failedJob(path);
    // Created first, failed last: the list orders by failure, not by creation.
    const late = await submit('/broken/late', { attempts: 1, delay: 1500 });
    const early = await failedJob('/broken/early');
    await recordWhen(late, (r) => r.status === JobStatus.Failed);
    const all = (await list('?limit=100')).items;
    const ids = all.map((i) => i.jobId);
    expect(ids.indexOf(late)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(late)).toBeLessThan(ids.indexOf(early));
    expect(all.length).toBeGreaterThanOrEqual(4);
    const failedAt = all.map((i) => Date.parse(i.failedAt));
    expect(failedAt).toEqual([...failedAt].sort((a, b) => b - a));

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      paged.push(...page.items.map((i) => i.jobId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.map((i) => i.jobId));
  });

  it('requeues with edited data, validated like a submission, and the job completes', async () => {
    const jobId = await failedJob('/broken/edit-me');
    const requeue = (body?: object) => {
      const call = conveyor.http().post(`/api/v1/dead-letters/${jobId}/requeue`).set(admin);
      return body === undefined ? call : call.send(body);
    };

    const badMethod = await requeue({ data: { url: target.url('/fixed'), method: 'FETCH' } });
    expect(badMethod.status).toBe(400);
    expect(badMethod.body.error_code).toBe('VALIDATION_FAILED');
    expect(badMethod.body.errors.map((e: { field: string }) => e.field)).toEqual(['data.method']);
    const badUrl = await requeue({ data: { url: 'ftp://127.0.0.1/fixed', method: 'GET' } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error_code).toBe('TARGET_NOT_ALLOWED');
    expect(badUrl.body.errors[0].field).toBe('data.url');
    const notAnObject = await requeue({ data: 'http://127.0.0.1/fixed' });
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.errors[0].field).toBe('data');
    const extraField = await requeue({ data: { url: target.url('/fixed'), method: 'GET' }, status: 'completed' });
    expect(extraField.status).toBe(400);
    const unknownPayloadField = await requeue({ data: { url: target.url('/fixed'), method: 'GET', ownerKey: 'user:mallory' } });
    expect(unknownPayloadField.status).toBe(400);
    expect(unknownPayloadField.body.errors[0].field).toBe('data.ownerKey');
    // Refused requeues change nothing.
    expect(await conveyor.record(jobId)).toMatchObject({ status: 'failed', run: 1, data: { url: target.url('/broken/edit-me') } });

    const res = await requeue({ data: { url: target.url('/fixed'), method: 'GET' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ jobId, status: 'waiting', run: 2 });
    const job = await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
    expect(job).toMatchObject({ run: 2, attemptsMade: 1, result: { statusCode: 200 }, error: null });
    expect(target.hitsOn('/fixed')).toHaveLength(1);
    expect(target.hitsOn('/broken/edit-me')).toHaveLength(2); // the first run's two attempts, no more

    const record = await conveyor.record(jobId);
    expect(record?.data).toEqual({ url: target.url('/fixed'), method: 'GET' });
    expect(record?.history).toEqual([expect.objectContaining({ run: 1, status: 'failed', attemptsMade: 2 })]);
    expect(await listedIds('?limit=100')).not.toContain(jobId);
    expect((await conveyor.http().get(`/api/v1/dead-letters/${jobId}`).set(admin)).status).toBe(404);
  });

  it('requeues with the same payload when no data is sent', async () => {
    let healed = false;
    target.respond((req, res) => {
      res.statusCode = req.url === '/flaky' && !healed ? 500 : 200;
      res.end();
    });
    const jobId = await failedJob('/flaky');
    healed = true;
    const res = await conveyor.http().post(`/api/v1/dead-letters/${jobId}/requeue`).set(admin);
    expect(res.body.data).toEqual({ jobId, status: 'waiting', run: 2 });
    await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed');
    expect((await conveyor.record(jobId))?.data).toEqual({ url: target.url('/flaky'), method: 'GET' });
    expect(target.hitsOn('/flaky')).toHaveLength(3);
  });

  it('dismisses a dead letter: off the list, the record kept failed for its owner, Bull’s copy removed', async () => {
    target.respond((req, res) => {
      res.statusCode = req.url?.startsWith('/broken') ? 500 : 200;
      res.end();
    });
    const jobId = await failedJob('/broken/dismiss-me');
    expect(await (await conveyor.queue(QueueName.Http).getJob(jobId))?.isFailed()).toBe(true);

    const res = await conveyor.http().delete(`/api/v1/dead-letters/${jobId}`).set(admin);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ jobId, dismissed: true });
    expect(await listedIds('?limit=100')).not.toContain(jobId);
    for (const call of [
      conveyor.http().get(`/api/v1/dead-letters/${jobId}`).set(admin),
      conveyor.http().delete(`/api/v1/dead-letters/${jobId}`).set(admin),
      conveyor.http().post(`/api/v1/dead-letters/${jobId}/requeue`).set(admin),
    ]) {
      expect((await call).status).toBe(404);
    }
    expect(await conveyor.queue(QueueName.Http).getJob(jobId)).toBeNull();
    const record = await conveyor.record(jobId);
    expect(record).toMatchObject({ status: 'failed', run: 1, dismissed: { by: 'service:admin' } });
    const owners = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', USER);
    expect(owners.body.data).toMatchObject({ status: 'failed', error: { code: 'UNEXPECTED_STATUS' } });

    // Its owner may still retry it; if that run fails too, it is a dead letter again.
    const retried = await conveyor.http().post(`/api/v1/jobs/${jobId}/retry`).set('x-user-id', USER);
    expect(retried.body.data).toEqual({ jobId, status: 'waiting', run: 2 });
    await recordWhen(jobId, (r) => r.status === JobStatus.Failed && r.run === 2);
    const again = await conveyor.http().get(`/api/v1/dead-letters/${jobId}`).set(admin);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ jobId, run: 2, attemptsMade: 2 });
  });

  it('lists a record the sweep found orphaned (its Bull job gone), which requeues like any other', async () => {
    const queue = conveyor.queue(QueueName.Http);
    await queue.pause();
    const jobId = await submit('/was-orphaned');
    await (await queue.getJob(jobId))!.remove();
    await recordWhen(jobId, (r) => r.status === JobStatus.Failed);
    await queue.resume();

    const letter = await conveyor.http().get(`/api/v1/dead-letters/${jobId}`).set(admin);
    expect(letter.body.data).toMatchObject({ jobId, attemptsMade: 0, error: { code: 'MISSING_FROM_QUEUE' } });
    await conveyor.http().post(`/api/v1/dead-letters/${jobId}/requeue`).set(admin).expect(200);
    await conveyor.waitForJob(jobId, USER, (j) => j.status === 'completed' && j.run === 2);
    expect(target.hitsOn('/was-orphaned')).toHaveLength(1);
  });
});
