import { QueueName, resolveJobOptions } from '@conveyor/contracts';
import { jobCatalog } from '@conveyor/products';
import { JobsRepository, newJobRecord } from '@conveyor/database';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import TestAgent from 'supertest/lib/agent';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';

const OWNER = 'owner-1';
const SESSION = 'sess_0123456789abcdef';

/** Every error, everywhere, has this shape (DESIGN §4). */
const errorEnvelope = (code: string) => ({ success: false, detail: expect.any(String), error_code: code, timestamp: expect.any(String) });

describe('Ownership and bad input', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    // No worker: jobs stay in Redis, so reads of live jobs can be checked too.
    conveyor = await Conveyor.start({ workers: 0 });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const validJob = () => ({ type: 'http.request', data: { url: target.url('/x'), method: 'GET' } });
  const post = (body: unknown, headers: Record<string, string> = { 'x-user-id': OWNER }) =>
    conveyor
      .http()
      .post('/api/v1/jobs')
      .set(headers)
      .send(body as object);

  describe('ownership', () => {
    let jobId: string;

    beforeAll(async () => {
      jobId = (await post(validJob())).body.data.jobId;
    });

    it('shows a job to its submitter', async () => {
      const res = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', OWNER);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ jobId, status: 'waiting', source: 'queue' });
    });

    it.each([
      ['another user', { 'x-user-id': 'intruder' }],
      ['an anonymous session', { 'x-session-id': SESSION }],
      ['a session whose id equals the owner’s user id', { 'x-session-id': `${OWNER}-padded-to-16` }],
    ])('answers 404 to %s while the job is live in Redis', async (_who, headers) => {
      const res = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set(headers);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorEnvelope('JOB_NOT_FOUND'));
    });

    const VERBS = ['GET', 'GET status', 'GET events', 'GET webhooks', 'POST cancel', 'DELETE', 'POST retry', 'PUT priority'];
    /** Every route about one job, as a stranger calls it (RELIABILITY A1), in the order of VERBS. */
    const everyVerb = (headers: Record<string, string>) => {
      const http = () => conveyor.http();
      return Promise.all([
        http().get(`/api/v1/jobs/${jobId}`).set(headers),
        http().get(`/api/v1/jobs/${jobId}/status`).set(headers),
        http().get(`/api/v1/jobs/${jobId}/events`).set(headers),
        http().get(`/api/v1/jobs/${jobId}/webhooks`).set(headers),
        http().post(`/api/v1/jobs/${jobId}/cancel`).set(headers),
        http().delete(`/api/v1/jobs/${jobId}`).set(headers),
        http().post(`/api/v1/jobs/${jobId}/retry`).set(headers),
        http().put(`/api/v1/jobs/${jobId}/priority`).set(headers).send({ priority: 1 }),
      ]);
    };
    const strangers: Array<[string, Record<string, string>]> = [
      ['another user', { 'x-user-id': 'intruder' }],
      ['an anonymous session', { 'x-session-id': SESSION }],
      ['a session whose id is the owner’s user id', { 'x-session-id': `${OWNER}-padded-to-16` }],
    ];

    it.each(strangers)('answers 404 to %s on every verb, live in Redis and once only in MongoDB', async (_who, headers) => {
      const queue = conveyor.queue(QueueName.Http);
      const stranger = await post(validJob());
      const strangerJob = stranger.body.data.jobId as string;
      for (const phase of ['live', 'record only']) {
        if (phase === 'record only') await (await queue.getJob(jobId))!.remove();
        const answers = await everyVerb(headers);
        expect(answers.map((r, i) => [phase, VERBS[i], r.status, r.body?.error_code])).toEqual(
          VERBS.map((verb) => [phase, verb, 404, 'JOB_NOT_FOUND']),
        );
        for (const r of answers) expect(JSON.stringify(r.body)).not.toContain(target.url('/x'));
        // Nothing changed: the owner still sees the job as it was.
        const mine = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-user-id', OWNER);
        expect(mine.body.data).toMatchObject({ jobId, status: 'waiting', source: phase === 'live' ? 'queue' : 'record' });
      }
      // The owner's next job, for the next stranger.
      jobId = strangerJob;
    });

    it('refuses anonymous sessions for job types that do not allow them (403)', async () => {
      const res = await post(validJob(), { 'x-session-id': SESSION });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(errorEnvelope('FORBIDDEN'));
    });

    it('keeps a session’s jobs apart from the user with the same id', async () => {
      // http.request refuses anonymous sessions, so this session's job is recorded directly.
      const bySession = randomUUID();
      const record = newJobRecord({
        jobId: bySession,
        ownerKey: `session:${SESSION}`,
        type: 'http.request',
        queue: QueueName.Http,
        data: {},
        options: resolveJobOptions(jobCatalog.policy(QueueName.Http), {}),
      });
      await conveyor.app.get(JobsRepository).insert(record);
      expect((await conveyor.http().get(`/api/v1/jobs/${bySession}`).set('x-session-id', SESSION)).status).toBe(200);
      expect((await conveyor.http().get(`/api/v1/jobs/${bySession}`).set('x-user-id', SESSION)).status).toBe(404);
    });

    it('requires an identity', async () => {
      const res = await conveyor.http().post('/api/v1/jobs').send(validJob());
      expect(res.status).toBe(401);
      expect(res.body).toEqual(errorEnvelope('UNAUTHENTICATED'));
      expect((await conveyor.http().get(`/api/v1/jobs/${jobId}`)).status).toBe(401);
    });

    it.each([['short'], ['has spaces in it!!!'], ['x'.repeat(129)]])('refuses the session id %j', async (sessionId) => {
      const res = await conveyor.http().get(`/api/v1/jobs/${jobId}`).set('x-session-id', sessionId);
      expect(res.status).toBe(401);
      expect(res.body.error_code).toBe('UNAUTHENTICATED');
    });

    it('gives public ids that are random UUIDs, not Bull counters', async () => {
      const ids = await Promise.all([1, 2, 3].map(async () => (await post(validJob())).body.data.jobId));
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(ids).size).toBe(3);
    });

    it('finds a job by its id in any case on every job route (UUIDs are case-insensitive)', async () => {
      const id = (await post(validJob())).body.data.jobId as string;
      const upper = id.toUpperCase();
      const mixed = id.replace(/[a-f]/, (c) => c.toUpperCase());
      const mine = { 'x-user-id': OWNER };
      const http = () => conveyor.http();
      expect((await http().get(`/api/v1/jobs/${upper}`).set(mine)).body.data).toMatchObject({ jobId: id, status: 'waiting' });
      expect((await http().get(`/api/v1/jobs/${upper}/status`).set(mine)).body.data).toMatchObject({ jobId: id, status: 'waiting' });
      expect((await http().get(`/api/v1/jobs/${upper}/webhooks`).set(mine)).body.data).toEqual({ items: [], truncated: false });
      expect((await http().put(`/api/v1/jobs/${upper}/priority`).set(mine).send({ priority: 1 })).body.data).toMatchObject({
        jobId: id,
        priority: 1,
      });
      expect((await http().post(`/api/v1/jobs/${upper}/cancel`).set(mine)).body.data).toEqual({ cancelled: true, status: 'cancelled' });
      // A finished job's stream is its snapshot and its final event, then it ends.
      const events = await http().get(`/api/v1/jobs/${upper}/events`).set(mine);
      expect(events.status).toBe(200);
      expect(events.text).toContain('event: cancelled');
      expect(events.text).toContain(`"jobId":"${id}"`);
      expect((await http().post(`/api/v1/jobs/${upper}/retry`).set(mine)).body.data).toEqual({ jobId: id, status: 'waiting', run: 2 });
      expect((await http().delete(`/api/v1/jobs/${mixed}`).set(mine)).body.data).toEqual({ cancelled: true, status: 'cancelled' });
      // Still nobody else's: the owner check holds in any case too.
      expect((await http().get(`/api/v1/jobs/${upper}`).set('x-user-id', 'intruder')).status).toBe(404);
    });
  });

  describe('bad input never gets a 500', () => {
    it.each<[string, Record<string, unknown>, string, string]>([
      ['an unknown job type', { type: 'nope', data: {} }, 'UNKNOWN_JOB_TYPE', 'type'],
      ['a missing type', { data: {} }, 'VALIDATION_FAILED', 'type'],
      ['missing data', { type: 'http.request' }, 'VALIDATION_FAILED', 'data'],
      ['data that is not an object', { type: 'http.request', data: 'x' }, 'VALIDATION_FAILED', 'data'],
      ['a payload field of the wrong type', { type: 'http.request', data: { url: 42, method: 'GET' } }, 'VALIDATION_FAILED', 'data.url'],
      [
        'an unknown payload field',
        { type: 'http.request', data: { url: 'http://127.0.0.1/', method: 'GET', extra: 1 } },
        'VALIDATION_FAILED',
        'data.extra',
      ],
      ['a bad method', { type: 'http.request', data: { url: 'http://127.0.0.1/', method: 'BREW' } }, 'VALIDATION_FAILED', 'data.method'],
      [
        'a reserved header',
        { type: 'http.request', data: { url: 'http://127.0.0.1/', method: 'GET', headers: { host: 'x' } } },
        'VALIDATION_FAILED',
        'data.headers',
      ],
      ['an unknown top-level field', { type: 'http.request', data: {}, ownerId: 'someone-else' }, 'VALIDATION_FAILED', 'ownerId'],
      // Mass assignment (RELIABILITY B6): record fields a client must never set.
      ...['_id', 'ownerKey', 'status', 'createdAt', 'result', 'attempts', 'run', 'seq'].map(
        (field): [string, Record<string, unknown>, string, string] => [
          `a record field (${field})`,
          { [field]: field === 'attempts' ? 99 : 'x' },
          'VALIDATION_FAILED',
          field,
        ],
      ),
      ['an unknown option', { type: 'http.request', data: {}, options: { status: 'completed' } }, 'VALIDATION_FAILED', 'options.status'],
      ['priority 0', { options: { priority: 0 } }, 'VALIDATION_FAILED', 'options.priority'],
      ['priority 11', { options: { priority: 11 } }, 'VALIDATION_FAILED', 'options.priority'],
      ['priority 1.5', { options: { priority: 1.5 } }, 'VALIDATION_FAILED', 'options.priority'],
      ['priority "urgentish"', { options: { priority: 'urgentish' } }, 'VALIDATION_FAILED', 'options.priority'],
      ['a negative delay', { options: { delay: -1 } }, 'VALIDATION_FAILED', 'options.delay'],
      ['a delay over 30 days', { options: { delay: 31 * 24 * 3600 * 1000 } }, 'VALIDATION_FAILED', 'options.delay'],
      ['too many attempts for the queue', { options: { attempts: 11 } }, 'VALIDATION_FAILED', 'options.attempts'],
      ['a timeout over the queue cap', { options: { timeout: 60 * 60 * 1000 } }, 'VALIDATION_FAILED', 'options.timeout'],
      ['an unknown backoff type', { options: { backoff: { type: 'random', delay: 1 } } }, 'VALIDATION_FAILED', 'options.backoff'],
      [
        'a listed backoff with a negative delay',
        { options: { backoff: { type: 'list', delays: [100, -5] } } },
        'VALIDATION_FAILED',
        'options.backoff',
      ],
    ])('%s → 400 naming the field', async (_what, body, code, field) => {
      // Bodies naming a type or data are sent as they are; option-only cases go onto a valid job.
      const res = await post('type' in body || 'data' in body ? body : { ...validJob(), ...body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject(errorEnvelope(code));
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('refuses every spelling of loopback when loopback is off (as in production), for targets and callbacks', async () => {
      // The suite allows loopback so jobs can reach its test servers; production does not.
      const strict = await conveyor.extraApi({ OUTBOUND_ALLOW_LOOPBACK: 'false' });
      const port = new URL(target.url()).port;
      const spellings = ['127.0.0.1', 'localhost', '2130706433', '0x7f.1', '127.1', '[::1]', '[::ffff:127.0.0.1]', '017700000001'];
      for (const host of spellings) {
        const url = `http://${host}:${port}/canary`;
        const asTarget = await strict
          .http()
          .post('/api/v1/jobs')
          .set('x-user-id', OWNER)
          .send({ type: 'http.request', data: { url, method: 'GET' } });
        expect([host, asTarget.status, asTarget.body.error_code, asTarget.body.errors?.[0]?.field]).toEqual([
          host,
          400,
          'TARGET_NOT_ALLOWED',
          'data.url',
        ]);
        const asCallback = await strict
          .http()
          .post('/api/v1/jobs')
          .set('x-user-id', OWNER)
          .send({
            type: 'http.request',
            data: { url: 'http://example.com/x', method: 'GET' },
            callbackUrl: url,
            callbackSecret: 'a-callback-secret-0123456789',
          });
        expect([host, asCallback.status, asCallback.body.errors?.[0]?.field]).toEqual([host, 400, 'callbackUrl']);
      }
      expect(target.hitsOn('/canary')).toHaveLength(0);
    });

    it.each([
      ['a private address', 'http://10.0.0.1/hook'],
      ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data'],
      ['an IPv4-mapped private address', 'http://[::ffff:192.168.0.1]/'],
      ['the unspecified address', 'http://0.0.0.0/'],
      ['a file: URL', 'file:///etc/passwd'],
      ['a gopher: URL', 'gopher://127.0.0.1:70/'],
      ['credentials in the URL', 'http://a@127.0.0.1/'],
      ['no URL at all', 'not a url'],
    ])('refuses a target with %s (400, nothing enqueued)', async (_what, url) => {
      const res = await post({ type: 'http.request', data: { url, method: 'GET' } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject(errorEnvelope('TARGET_NOT_ALLOWED'));
      expect(res.body.errors[0].field).toBe('data.url');
    });

    it('refuses IPv6 addresses that lead to a non-public IPv4 one, as targets and callbacks', async () => {
      // The suite's policy allows loopback, not private ranges; this one the other way round.
      const noLoopback = await conveyor.extraApi({ OUTBOUND_ALLOW_LOOPBACK: 'false', OUTBOUND_ALLOW_PRIVATE: 'true' });
      const cases: Array<[string, () => TestAgent]> = [
        // IPv4-compatible (::/96), IPv4-mapped, NAT64, 6to4, Teredo (server; client inverted).
        ...['::a9fe:a9fe', '::169.254.169.254', '::10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::10.0.0.1', '2002:a9fe:a9fe::1']
          .concat(['2001:0:a9fe:a9fe::f7f7:f7f7', '2001:0:808:808::f5ff:fffe'])
          .map((host): [string, () => TestAgent] => [host, () => conveyor.http()]),
        ...[
          '::127.0.0.1',
          '::ffff:127.0.0.1',
          '64:ff9b::127.0.0.1',
          '2002:7f00:1::1',
          '2001:0:7f00:1::f7f7:f7f7',
          '2001:0:808:808::80ff:fffe',
        ].map((host): [string, () => TestAgent] => [host, () => noLoopback.http()]),
      ];
      const port = new URL(target.url()).port;
      for (const [host, api] of cases) {
        const url = `http://[${host}]:${port}/canary`;
        const asTarget = await api()
          .post('/api/v1/jobs')
          .set('x-user-id', OWNER)
          .send({ type: 'http.request', data: { url, method: 'GET' } });
        expect([host, asTarget.status, asTarget.body.error_code, asTarget.body.errors?.[0]?.field]).toEqual([
          host,
          400,
          'TARGET_NOT_ALLOWED',
          'data.url',
        ]);
        // The refusal names the IPv4 address the IPv6 one leads to.
        expect([host, asTarget.body.detail]).toEqual([
          host,
          expect.stringMatching(/ carries (169\.254\.169\.254|10\.0\.0\.1|127\.0\.0\.1)\)$/),
        ]);
        const asCallback = await api()
          .post('/api/v1/jobs')
          .set('x-user-id', OWNER)
          .send({
            type: 'http.request',
            data: { url: 'http://example.com/x', method: 'GET' },
            callbackUrl: url,
            callbackSecret: 'a-callback-secret-0123456789',
          });
        expect([host, asCallback.status, asCallback.body.errors?.[0]?.field]).toEqual([host, 400, 'callbackUrl']);
      }
    });

    it.each([
      ['a snowman', '☃'],
      ['an emoji', 'go 🚀'],
      ['a control character', 'a\u0001b'],
      ['a DEL', 'a\u007fb'],
      ['a line break', 'a\r\nx-injected: 1'],
    ])('refuses a header value with %s at submit, naming the header (Node would refuse to send it)', async (_what, value) => {
      const res = await post({
        type: 'http.request',
        data: { url: target.url('/x'), method: 'GET', headers: { 'x-ok': 'fine', 'x-bad': value } },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject(errorEnvelope('VALIDATION_FAILED'));
      expect(res.body.errors).toEqual([
        { field: 'data.headers', message: expect.stringMatching(/^data\.headers\["x-bad"\] has characters/) },
      ]);
    });

    it.each([
      ['malformed JSON', '{"type":', 'application/json', 400, 'MALFORMED_JSON'],
      ['a scalar JSON body', '42', 'application/json', 400, 'MALFORMED_JSON'],
      ['a non-JSON content type', 'type=http.request', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        'a body over the size limit',
        JSON.stringify({ type: 'http.request', data: { body: 'x'.repeat(300_000) } }),
        'application/json',
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ])('%s → %i', async (_what, raw, contentType, status, code) => {
      const res = await conveyor.http().post('/api/v1/jobs').set('x-user-id', OWNER).set('content-type', contentType).send(raw);
      expect(res.status).toBe(status);
      expect(res.body).toEqual(errorEnvelope(code));
    });

    it.each([
      ['nesting 101 levels deep', nest(101)],
      ['a 100k-character string', { body: 'x'.repeat(100_000) }],
      ['a 10k-item array', { body: Array.from({ length: 10_000 }, () => 1) }],
      ['a __proto__ key', JSON.parse('{"body": {"__proto__": {"polluted": true}}}')],
      ['a constructor.prototype path', { body: { constructor: { prototype: { polluted: true } } } }],
      ['an operator key', { body: { $where: 'sleep(1000)' } }],
      ['a dotted key', { body: { 'a.b': 1 } }],
    ])('a payload with %s → 400', async (_what, extra) => {
      const res = await post({ type: 'http.request', data: { url: target.url('/'), method: 'POST', ...extra } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject(errorEnvelope('VALIDATION_FAILED'));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it.each([['not-a-uuid'], ['{"$ne":null}'], ['%7B%22%24ne%22%3Anull%7D']])('a job id of %s → 400', async (id) => {
      const res = await conveyor.http().get(`/api/v1/jobs/${id}`).set('x-user-id', OWNER);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject(errorEnvelope('VALIDATION_FAILED'));
    });

    describe('a NUL character in a key (no stored document can hold one)', () => {
      const ADMIN_TOKEN = 'access-and-input-admin-token';
      let admin: { http: () => TestAgent };

      beforeAll(async () => {
        admin = await conveyor.extraApi({ ADMIN_API_TOKEN: ADMIN_TOKEN });
      });

      const nulPayload = () => ({ url: target.url('/nul'), method: 'POST', body: { 'a\u0000b': 1 } });
      const jobCount = () => conveyor.app.get<Connection>(getConnectionToken()).collection('jobs').countDocuments();

      it.each<[string, string, () => object, string]>([
        ['POST /api/v1/jobs', '/api/v1/jobs', () => ({ type: 'http.request', data: nulPayload() }), 'body.data.body'],
        ['a dry run', '/api/v1/jobs?dryRun=true', () => ({ type: 'http.request', data: nulPayload() }), 'body.data.body'],
        [
          'POST /api/v1/scheduler/delayed',
          '/api/v1/scheduler/delayed',
          () => ({ type: 'http.request', data: nulPayload(), delayMs: 1000 }),
          'body.data.body',
        ],
        [
          'POST /api/v1/scheduler/repeating',
          '/api/v1/scheduler/repeating',
          () => ({ name: 'nul', type: 'http.request', data: nulPayload(), cron: '0 * * * *' }),
          'body.data.body',
        ],
        ['a dead letter requeue', `/api/v1/dead-letters/${randomUUID()}/requeue`, () => ({ data: nulPayload() }), 'body.data.body'],
        [
          'POST /api/viral-ideas/queue',
          '/api/viral-ideas/queue',
          () => ({ session_id: 'nul-session', primary_username: 'someone', analysis_settings: { 'a\u0000b': 1 } }),
          'body.analysis_settings',
        ],
      ])('%s → 400 naming the key, nothing stored', async (_route, path, body, parent) => {
        const before = await jobCount();
        const res = await admin
          .http()
          .post(path)
          .set({ 'x-user-id': OWNER, authorization: `Bearer ${ADMIN_TOKEN}` })
          .send(body());
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject(errorEnvelope('VALIDATION_FAILED'));
        expect(res.body.errors).toEqual([
          { field: `${parent}["a\\u0000b"]`, message: expect.stringContaining('keys may not contain a NUL') },
        ]);
        expect(await jobCount()).toBe(before);
      });

      it.each<[string, object, string]>([
        ['a NUL in a key', { body: { 'a\u0000b': 1 } }, 'jobs[1].data.body["a\\u0000b"]'],
        ['a NUL in a string', { body: 'a\u0000b' }, 'jobs[1].data.body'],
        ['a constructor.prototype path', { body: { constructor: { prototype: { polluted: true } } } }, 'jobs[1].data.body.constructor'],
        ['an operator key', { body: { $where: 'sleep(1000)' } }, 'jobs[1].data.body.$where'],
      ])('fails only its own bulk item when the item has %s; the others are accepted', async (_what, extra, field) => {
        const good = (path: string) => ({ type: 'http.request', data: { url: target.url(path), method: 'GET' } });
        const bad = { type: 'http.request', data: { url: target.url('/bulk-bad'), method: 'POST', ...extra } };
        const res = await conveyor
          .http()
          .post('/api/v1/jobs/bulk')
          .set('x-user-id', OWNER)
          .send({ jobs: [good('/bulk-a'), bad, good('/bulk-b')] });
        expect(res.status).toBe(200);
        expect(res.body.data).toMatchObject({ accepted: 2, rejected: 1 });
        const [first, refused, last] = res.body.data.items;
        expect(refused).toEqual({
          index: 1,
          error: {
            error_code: 'VALIDATION_FAILED',
            detail: expect.any(String),
            errors: [{ field, message: expect.stringContaining(field) }],
          },
        });
        for (const item of [first, last]) expect((await conveyor.record(item.job.jobId))?.status).toBe('waiting');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });
    });

    it('answers unknown routes with the envelope', async () => {
      const res = await conveyor.http().get('/api/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorEnvelope('ROUTE_NOT_FOUND'));
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });
});

function nest(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { n: value };
  return { body: value };
}
