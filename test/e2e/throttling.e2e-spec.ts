import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { Conveyor } from '../support/conveyor';

/**
 * Rate limits hold across API replicas because their counters live in Redis: the in-process API
 * and a second API process share one budget per caller (and per IP for submissions).
 */
describe('Throttling across two API processes', () => {
  let conveyor: Conveyor;
  let second: () => ReturnType<typeof request>;

  beforeAll(async () => {
    conveyor = await Conveyor.start({
      workers: 0,
      env: {
        THROTTLE_SUBMIT_LIMIT: '3',
        THROTTLE_SUBMIT_IP_LIMIT: '5',
        THROTTLE_READ_LIMIT: '5',
        THROTTLE_BULK_LIMIT: '2',
        THROTTLE_IP_LIMIT: '30',
        THROTTLE_WINDOW_MS: '60000',
      },
    });
    const api = await conveyor.startApiProcess();
    second = () => request(api.url);
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  const job = { type: 'http.request', data: { url: 'http://127.0.0.1:9/', method: 'GET' }, options: { delay: 600_000 } };
  const replicas = () => [() => conveyor.http(), second];
  const submitVia = (replica: number, user: string) => replicas()[replica % 2]().post('/api/v1/jobs').set('x-user-id', user).send(job);

  it('limits submissions per caller across both replicas, with Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await submitVia(i, 'alice')).status).toBe(201);
    const refused = await submitVia(3, 'alice');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, error_code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('limits submissions per client IP too, whoever the caller', async () => {
    // alice's three accepted submissions already count against this IP's five.
    expect((await submitVia(0, 'bob')).status).toBe(201);
    expect((await submitVia(1, 'bob')).status).toBe(201);
    const refused = await submitVia(0, 'bob');
    expect(refused.status).toBe(429);
    expect(refused.body.error_code).toBe('RATE_LIMITED');
  });

  it('counts reads separately from submissions, per caller, across both replicas', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await replicas()[i % 2]().get('/api/v1/jobs').set('x-user-id', 'alice');
      expect(res.status).toBe(200);
    }
    const refused = await second().get('/api/v1/jobs').set('x-user-id', 'alice');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await conveyor.http().get('/api/v1/jobs').set('x-user-id', 'carol')).status).toBe(200);
  });

  it('answers 500 when Redis refuses the count as wrong (a key of the wrong type), instead of failing open', async () => {
    const redis = conveyor.redis.client();
    try {
      expect((await conveyor.http().get('/api/v1/jobs').set('x-user-id', 'erin')).status).toBe(200);
      const [hits] = await redis.keys('*:throttle:read:user:erin:read}:hits');
      expect(hits).toBeDefined();
      await redis.del(hits);
      await redis.hset(hits, 'not', 'a counter');
      const broken = await conveyor.http().get('/api/v1/jobs').set('x-user-id', 'erin');
      expect(broken.status).toBe(500);
      await redis.del(hits);
      expect((await conveyor.http().get('/api/v1/jobs').set('x-user-id', 'erin')).status).toBe(200);
    } finally {
      redis.disconnect();
    }
  });

  it('limits bulk submissions on their own, per caller', async () => {
    const bulk = (replica: number) =>
      replicas()
        [replica % 2]()
        .post('/api/v1/jobs/bulk')
        .set('x-user-id', 'dave')
        .send({ jobs: [job, job] });
    expect((await bulk(0)).status).toBe(200);
    expect((await bulk(1)).status).toBe(200);
    const refused = await bulk(0);
    expect(refused.status).toBe(429);
    expect(refused.body.error_code).toBe('RATE_LIMITED');
  });

  it('holds a ceiling per client IP that fresh session ids cannot dodge', async () => {
    let refused: request.Response | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await replicas()
        [i % 2]()
        .get('/api/v1/jobs')
        .set('x-session-id', `rotating-session-${String(i).padStart(4, '0')}`);
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused?.body.error_code).toBe('RATE_LIMITED');
  });

  describe('X-Forwarded-For (RELIABILITY L4)', () => {
    /** Submissions by fresh users, so only the per-IP limit (5) can refuse them. */
    const submitsFrom = async (api: { http: () => TestAgent }, forwardedFor: (i: number) => string, n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await api
          .http()
          .post('/api/v1/jobs')
          .set('x-user-id', `xff-user-${i}-${Math.random().toString(36).slice(2)}`)
          .set('x-forwarded-for', forwardedFor(i))
          .send(job);
        statuses.push(res.status);
      }
      return statuses;
    };

    it('is ignored with TRUST_PROXY_HOPS=0: spoofed addresses share the socket address’s budget', async () => {
      // Its own key prefix, so its counters start at zero whatever the other tests did.
      const api = await conveyor.extraApi({ ...conveyor.otherDeployment('xff-off') });
      expect(await submitsFrom(api, (i) => `203.0.113.${i}`, 7)).toEqual([201, 201, 201, 201, 201, 429, 429]);
    });

    it('with TRUST_PROXY_HOPS=1 keys on the right-most hop, whatever the client put before it', async () => {
      const api = await conveyor.extraApi({ ...conveyor.otherDeployment('xff-one'), TRUST_PROXY_HOPS: '1' });
      expect(await submitsFrom(api, (i) => `198.51.100.${i}, 203.0.113.7`, 7)).toEqual([201, 201, 201, 201, 201, 429, 429]);
      // Another client behind the same proxy: a budget of its own.
      expect(await submitsFrom(api, () => '203.0.113.8', 1)).toEqual([201]);
    });
  });

  it('never throttles the health probe', async () => {
    for (let i = 0; i < 12; i++) expect((await second().get('/health')).status).toBe(200);
  });
});
