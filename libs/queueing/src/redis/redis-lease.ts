import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

/** Sets the key's expiry (ms) only while it still holds our token. */
const EXTEND_LUA = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0
`;

/** Turns our lease into a cool-down (no holder) for the given ms, only while it still holds our token. */
const COOL_DOWN_LUA = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("SET", KEYS[1], ARGV[3], "PX", ARGV[2]) and 1 or 0 end
return 0
`;

/** Takes the lease if it is free or only cooling down, never from a live holder. */
const TAKE_UNLESS_HELD_LUA = `
local current = redis.call("GET", KEYS[1])
if current and current ~= ARGV[3] then return 0 end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1
`;

/** The value of a lease that nobody holds but that keeps periodic runs apart until it expires. */
const COOLING_DOWN = 'cooling-down';

/** Deletes the key only while it still holds our token. */
const RELEASE_LUA = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0
`;

/**
 * The one lease helper: a Redis key held by one process at a time (SET NX PX with a token). Only
 * the holder can extend or release it; otherwise it ends by expiring, so a holder that dies frees
 * it within its expiry. Every Conveyor claim (sweep and ticker leases, a run claim, a cool-down,
 * an idempotency claim) is taken through it.
 */
export class RedisLease {
  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly token: string,
  ) {}

  /**
   * The lease for `ttlMs`, or undefined when another process holds it. `token` is what the key
   * holds meanwhile (a random one unless given, e.g. the job id a claim is for).
   */
  static async acquire(redis: Redis, key: string, ttlMs: number, token: string = randomUUID()): Promise<RedisLease | undefined> {
    const ok = await redis.set(key, token, 'PX', toMs(ttlMs), 'NX');
    return ok === 'OK' ? new RedisLease(redis, key, token) : undefined;
  }

  /** The value held by whoever has the key now (undefined when free). */
  static async holder(redis: Redis, key: string): Promise<string | undefined> {
    return (await redis.get(key)) ?? undefined;
  }

  /**
   * The lease even while a finished run's cool-down keeps periodic runs out (an operator's run),
   * or undefined when a process holds it (a run is in progress).
   */
  static async acquireUnlessHeld(redis: Redis, key: string, ttlMs: number): Promise<RedisLease | undefined> {
    const token = randomUUID();
    const ok = await redis.eval(TAKE_UNLESS_HELD_LUA, 1, key, token, String(toMs(ttlMs)), COOLING_DOWN);
    return ok === 1 ? new RedisLease(redis, key, token) : undefined;
  }

  /**
   * Gives the lease up but keeps SET NX out for `ttlMs` more: periodic runs stay spaced, while
   * acquireUnlessHeld may take it at once.
   */
  async coolDown(ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(COOL_DOWN_LUA, 1, this.key, this.token, String(toMs(ttlMs)), COOLING_DOWN)) === 1;
  }

  /** Makes the lease end `ttlMs` from now; false if it was lost (expired, taken by another process). */
  async expireIn(ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND_LUA, 1, this.key, this.token, String(toMs(ttlMs)))) === 1;
  }

  /** Gives the lease up now; false if it had been lost already. */
  async release(): Promise<boolean> {
    return (await this.redis.eval(RELEASE_LUA, 1, this.key, this.token)) === 1;
  }
}

function toMs(ttlMs: number): number {
  return Math.max(1, Math.round(ttlMs));
}
