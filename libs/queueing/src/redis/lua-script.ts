import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script sent on hot paths by its SHA1 (EVALSHA), not its text: a request then writes a
 * few dozen bytes instead of the whole script. When Redis does not know it (after a restart, a
 * failover or SCRIPT FLUSH) the NOSCRIPT reply is answered with EVAL, which loads it again.
 * Not ioredis' defineCommand: its custom commands were reported to hang, instead of failing, on a
 * client whose offline queue is off (redis/ioredis#1511), as the API's clients are.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
