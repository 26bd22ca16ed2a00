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

/**
 * A Redis lease held by one process at a time (SET NX PX with a random token). Only the holder
 * can extend it; it ends by expiring, so a holder that dies frees it within its expiry.
 */
export class SweepLock {
  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly token: string,
  ) {}

  /** The lease for `ttlMs`, or undefined when another process holds it. */
  static async acquire(redis: Redis, key: string, ttlMs: number): Promise<SweepLock | undefined> {
    const token = randomUUID();
    const ok = await redis.set(key, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    return ok === 'OK' ? new SweepLock(redis, key, token) : undefined;
  }

  /**
   * The lease even while a finished run's cool-down keeps periodic runs out (an operator's run),
   * or undefined when a process holds it (a run is in progress).
   */
  static async acquireUnlessHeld(redis: Redis, key: string, ttlMs: number): Promise<SweepLock | undefined> {
    const token = randomUUID();
    const ok = await redis.eval(TAKE_UNLESS_HELD_LUA, 1, key, token, String(Math.max(1, Math.round(ttlMs))), COOLING_DOWN);
    return ok === 1 ? new SweepLock(redis, key, token) : undefined;
  }

  /**
   * Gives the lease up but keeps SET NX out for `ttlMs` more: periodic runs stay spaced, while
   * acquireUnlessHeld may take it at once.
   */
  async coolDown(ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(COOL_DOWN_LUA, 1, this.key, this.token, String(Math.max(1, Math.round(ttlMs))), COOLING_DOWN)) === 1;
  }

  /** Makes the lease end `ttlMs` from now; false if it was lost (expired, taken by another process). */
  async expireIn(ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND_LUA, 1, this.key, this.token, String(Math.max(1, Math.round(ttlMs))))) === 1;
  }
}
