import { JwtService } from '@nestjs/jwt';
import { Conveyor } from '../support/conveyor';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const GATEWAY_SECRET = 'gateway-secret-0123456789';
const JWT_SECRET = 'jwt-secret-0123456789abcdef0123456789';

/** Identity modes, admin access and who may see which jobs (README "Identity"). No worker: jobs stay waiting. */
describe('Identity and admin access', () => {
  let conveyor: Conveyor;
  let aliceJob: string;
  let bobJob: string;

  beforeAll(async () => {
    conveyor = await Conveyor.start({ workers: 0, env: { ADMIN_API_TOKEN: ADMIN_TOKEN, GATEWAY_SECRET } });
    aliceJob = await submitAs({ 'x-user-id': 'alice' });
    bobJob = await submitAs({ 'x-user-id': 'bob' });
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  async function submitAs(headers: Record<string, string>, http = () => conveyor.http()): Promise<string> {
    const res = await http()
      .post('/api/v1/jobs')
      .set(headers)
      .send({ type: 'http.request', data: { url: 'http://127.0.0.1:9/never', method: 'GET' }, options: { delay: 600_000 } });
    expect(res.status).toBe(201);
    return res.body.data.jobId;
  }

  const listIds = async (headers: Record<string, string>, path = '/api/v1/jobs', http = () => conveyor.http()) => {
    const res = await http().get(path).set(headers);
    expect(res.status).toBe(200);
    return (res.body.data.items as Array<{ jobId: string }>).map((j) => j.jobId);
  };

  describe('gateway mode', () => {
    it('ignores x-user-role without the gateway secret: a client cannot make itself admin', async () => {
      const attempts: Array<Record<string, string>> = [
        { 'x-user-id': 'admin' }, // a user named admin is just a user
        { 'x-user-id': 'mallory', 'x-user-role': 'admin' },
        { 'x-user-id': 'mallory', 'x-user-role': 'admin', 'x-gateway-secret': 'not-the-gateway-secret' },
      ];
      for (const headers of attempts) {
        expect((await conveyor.http().get(`/api/v1/jobs/${aliceJob}`).set(headers)).status).toBe(404);
        expect(await listIds(headers)).toEqual([]);
        expect((await conveyor.http().get('/api/v1/jobs/user/alice').set(headers)).status).toBe(403);
      }
    });

    it('takes the admin token only from the Authorization header, never from the query string', async () => {
      for (const query of [`access_token=${ADMIN_TOKEN}`, `token=${ADMIN_TOKEN}`, `authorization=Bearer%20${ADMIN_TOKEN}`]) {
        const res = await conveyor.http().get(`/api/v1/queues?${query}`);
        expect([query, res.status, res.body.error_code]).toEqual([query, 401, 'UNAUTHENTICATED']);
      }
      expect((await conveyor.http().get('/api/v1/queues').set('authorization', `Bearer ${ADMIN_TOKEN}`)).status).toBe(200);
    });

    it('honours the admin role the gateway vouches for with its secret', async () => {
      const admin = { 'x-user-id': 'ops', 'x-user-role': 'admin', 'x-gateway-secret': GATEWAY_SECRET };
      expect((await conveyor.http().get(`/api/v1/jobs/${aliceJob}`).set(admin)).body.data.jobId).toBe(aliceJob);
      expect(await listIds(admin)).toEqual(expect.arrayContaining([aliceJob, bobJob]));
      expect(await listIds(admin, '/api/v1/jobs/user/bob')).toEqual([bobJob]);
    });

    it('lets a user list their own jobs by user id, and nobody else’s', async () => {
      expect(await listIds({ 'x-user-id': 'alice' }, '/api/v1/jobs/user/alice')).toEqual([aliceJob]);
      const res = await conveyor.http().get('/api/v1/jobs/user/alice').set('x-user-id', 'bob');
      expect(res.status).toBe(403);
      expect(res.body.error_code).toBe('FORBIDDEN');
      expect((await conveyor.http().get('/api/v1/jobs/user/not%20valid!').set('x-user-id', 'bob')).status).toBe(400);
    });
  });

  describe('admin token', () => {
    it('sees and acts on every job', async () => {
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
      expect((await conveyor.http().get(`/api/v1/jobs/${bobJob}`).set(admin)).status).toBe(200);
      expect(await listIds(admin)).toEqual(expect.arrayContaining([aliceJob, bobJob]));
      const extra = await submitAs({ 'x-user-id': 'carol' });
      const cancelled = await conveyor.http().post(`/api/v1/jobs/${extra}/cancel`).set(admin);
      expect(cancelled.body.data).toEqual({ cancelled: true, status: 'cancelled' });
    });

    it.each([
      ['a token of another length', 'short-token'],
      ['a token of the same length', ADMIN_TOKEN.replace(/.$/, 'X')],
      ['a much longer token', ADMIN_TOKEN.repeat(20)],
    ])('answers 401, never 500, to %s', async (_what, token) => {
      const res = await conveyor.http().get(`/api/v1/jobs/${aliceJob}`).set('authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.error_code).toBe('UNAUTHENTICATED');
    });

    it('is refused everywhere when no admin token is configured: there is no open default', async () => {
      const open = await conveyor.extraApi({ ADMIN_API_TOKEN: undefined, GATEWAY_SECRET: undefined });
      const attempts: Array<[Record<string, string>, number]> = [
        [{ authorization: `Bearer ${ADMIN_TOKEN}` }, 401],
        [{ authorization: 'Bearer undefined' }, 401],
        [{ authorization: 'Bearer ' }, 401],
        [{ 'x-user-id': 'ops', 'x-user-role': 'admin', 'x-gateway-secret': GATEWAY_SECRET }, 403],
      ];
      for (const [headers, status] of attempts) {
        const res = await open.http().get('/api/v1/jobs/user/alice').set(headers);
        expect(res.status).toBe(status);
      }
    });
  });

  describe('jwt mode', () => {
    let jwt: { http: () => ReturnType<Conveyor['http']> };
    const sign = (claims: object, secret = JWT_SECRET, options: object = {}) =>
      new JwtService().sign(claims, { secret, algorithm: 'HS256', ...('exp' in claims ? {} : { expiresIn: 300 }), ...options });

    beforeAll(async () => {
      jwt = await conveyor.extraApi({ IDENTITY_MODE: 'jwt', JWT_SECRET });
    });

    it('takes the user from a verified token and ignores identity headers', async () => {
      const alice = { authorization: `Bearer ${sign({ sub: 'alice' })}` };
      expect((await jwt.http().get(`/api/v1/jobs/${aliceJob}`).set(alice)).status).toBe(200);
      expect((await jwt.http().get(`/api/v1/jobs/${bobJob}`).set(alice)).status).toBe(404);
      const headersOnly = await jwt
        .http()
        .get(`/api/v1/jobs/${aliceJob}`)
        .set({ 'x-user-id': 'alice', 'x-user-role': 'admin', 'x-gateway-secret': GATEWAY_SECRET });
      expect(headersOnly.status).toBe(401);
    });

    it.each([
      ['a wrong signature', () => sign({ sub: 'alice' }, 'another-secret-0123456789abcdef0123')],
      ['an expired token', () => sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 })],
      ['no subject', () => sign({ role: 'admin' })],
      ['no expiry', () => new JwtService().sign({ sub: 'alice' }, { secret: JWT_SECRET, algorithm: 'HS256' })],
      [
        'alg none',
        () =>
          `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"alice","role":"admin"}').toString('base64url')}.`,
      ],
      ['garbage', () => 'not.a.jwt'],
    ])('answers 401 to %s', async (_what, token) => {
      const res = await jwt.http().get(`/api/v1/jobs/${aliceJob}`).set('authorization', `Bearer ${token()}`);
      expect(res.status).toBe(401);
      expect(res.body.error_code).toBe('UNAUTHENTICATED');
    });

    it('makes a token with the admin role an admin', async () => {
      const admin = { authorization: `Bearer ${sign({ sub: 'ops', role: 'admin' })}` };
      expect((await jwt.http().get(`/api/v1/jobs/${bobJob}`).set(admin)).status).toBe(200);
      expect(await listIds(admin, '/api/v1/jobs', jwt.http)).toEqual(expect.arrayContaining([aliceJob, bobJob]));
    });

    it('still accepts the admin token', async () => {
      expect((await jwt.http().get(`/api/v1/jobs/${bobJob}`).set('authorization', `Bearer ${ADMIN_TOKEN}`)).status).toBe(200);
    });
  });
});
