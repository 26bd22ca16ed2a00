import Redis from 'ioredis';
import { RedisThrottleCounters, ThrottleHit } from '@conveyor/http/throttling/redis-throttle-counters';
import { RedisServer } from '../support/redis-server';

/**
 * The rate-limit counters' script on a real Redis: every limit of a request in one call, fixed
 * windows with a block once exceeded, and counting stops at the first limit that blocks (what the
 * throttling suite's limits rely on, there through the API).
 */
describe('RedisThrottleCounters', () => {
  let server: RedisServer;
  let redis: Redis;
  let counters: RedisThrottleCounters;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = server.client();
    counters = new RedisThrottleCounters(redis);
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  const hit = (name: string, limit: number, key = 'caller'): ThrottleHit => ({ key, name, limit, ttl: 60_000, blockDuration: 60_000 });

  /** Script calls Redis ran: by text (EVAL) and by SHA1 (EVALSHA). */
  async function scriptCalls(): Promise<{ eval: number; evalsha: number; total: number }> {
    const stats = await redis.info('commandstats');
    const calls = (name: string) => Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
    return { eval: calls('eval'), evalsha: calls('evalsha'), total: calls('eval') + calls('evalsha') };
  }

  it('sends its script by SHA1 once Redis knows it, and by its text again when Redis has lost it', async () => {
    await redis.script('FLUSH');
    const limits = [hit('sha', 10, 'sha')];
    const before = await scriptCalls();
    await counters.hitAll(limits); // NOSCRIPT, then EVAL loads it
    const loaded = await scriptCalls();
    expect(loaded.eval).toBe(before.eval + 1);
    await counters.hitAll(limits);
    await counters.hitAll(limits);
    const warm = await scriptCalls();
    expect(warm.eval).toBe(loaded.eval);
    expect(warm.evalsha - loaded.evalsha).toBe(2);
    await redis.script('FLUSH'); // as after a restart or a failover
    expect((await counters.hitAll(limits))[0].totalHits).toBe(4);
    expect((await scriptCalls()).eval).toBe(warm.eval + 1);
  });

  it('counts a request against all its limits in one script call, in the keys the old storage used', async () => {
    await counters.hitAll([hit('warm-up', 1, 'warm-up')]); // Redis knows the script: one call from here
    const before = await scriptCalls();
    const records = await counters.hitAll([hit('submit', 3, 'one'), hit('submit-ip', 5, 'ip:one'), hit('ip', 30, 'ip:one')]);
    expect((await scriptCalls()).total).toBe(before.total + 1);
    expect(records).toEqual([
      { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 },
      { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 },
      { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 },
    ]);
    expect(await redis.get('{one:submit}:hits')).toBe('1');
    expect(await redis.pttl('{one:submit}:hits')).toBeGreaterThan(59_000);
  });

  it('blocks past the limit for the block duration, and stays blocked within it', async () => {
    const limits = [hit('read', 2, 'two')];
    expect((await counters.hitAll(limits))[0].isBlocked).toBe(false);
    expect((await counters.hitAll(limits))[0]).toMatchObject({ totalHits: 2, isBlocked: false });
    expect((await counters.hitAll(limits))[0]).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 60 });
    expect(await redis.pttl('{two:read}:blocked')).toBeGreaterThan(59_000);
    expect((await counters.hitAll(limits))[0]).toMatchObject({ totalHits: 4, isBlocked: true });
  });

  it('stops at the first limit that blocks: the limits after it are not counted', async () => {
    const limits = [hit('submit', 1, 'three'), hit('ip', 100, 'ip:three')];
    expect(await counters.hitAll(limits)).toHaveLength(2);
    const refused = await counters.hitAll(limits);
    expect(refused).toHaveLength(1);
    expect(refused[0].isBlocked).toBe(true);
    expect(await redis.get('{ip:three:ip}:hits')).toBe('1');
  });

  it('treats a block without an expiry as stale: the window starts again', async () => {
    await redis.set('{four:read}:hits', '9', 'PX', 60_000);
    await redis.set('{four:read}:blocked', '1');
    expect((await counters.hitAll([hit('read', 2, 'four')]))[0]).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(await redis.exists('{four:read}:blocked')).toBe(0);
  });

  it('gives a window that lost its expiry a new one', async () => {
    await redis.set('{five:read}:hits', '1');
    expect((await counters.hitAll([hit('read', 5, 'five')]))[0]).toMatchObject({ totalHits: 2, timeToExpire: 60 });
    expect(await redis.pttl('{five:read}:hits')).toBeGreaterThan(59_000);
  });

  it('answers ThrottlerStorage.increment with the same counting', async () => {
    expect(await counters.increment('six', 60_000, 1, 60_000, 'read')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await counters.increment('six', 60_000, 1, 60_000, 'read')).toMatchObject({ totalHits: 2, isBlocked: true });
  });
});
