import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

/** Sets the key's expiry (ms) only while it still holds our token. */
const EXTEND_LUA = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0
`;

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

  /** Makes the lease end `ttlMs` from now; false if it was lost (expired, taken by another process). */
  async expireIn(ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND_LUA, 1, this.key, this.token, String(Math.max(1, Math.round(ttlMs))))) === 1;
  }
}
