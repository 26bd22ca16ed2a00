import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { LuaScript } from '@conveyor/queueing';

/** What counting a request against one limit found (the package does not export its name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One limit a request counts against: its counter's key, window, limit and block length (ms). */
export interface ThrottleHit {
  key: string;
  name: string;
  ttl: number;
  limit: number;
  blockDuration: number;
}

/**
 * Counts every limit of a request in one script, in order, stopping at the first that blocks (as
 * counting them one by one and refusing at the first would): one round trip per request instead
 * of one per limit. Per limit: a fixed window of `ttl` ms, and once it is exceeded a block of
 * `blockDuration` ms; a block key without an expiry is stale and resets the window.
 * KEYS per limit: hits, blocked; ARGV per limit: ttl, limit, blockDuration.
 * Returns per counted limit: hits, ms to the window's end, blocked (0/1), ms to the block's end.
 */
const HIT_ALL = new LuaScript(`
local out = {}
for i = 1, #KEYS / 2 do
  local hitKey, blockKey = KEYS[2 * i - 1], KEYS[2 * i]
  local ttl, limit, blockDuration = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local hits = redis.call("INCR", hitKey)
  local expiresIn = ttl
  if hits == 1 then
    redis.call("PEXPIRE", hitKey, ttl)
  else
    expiresIn = redis.call("PTTL", hitKey)
    if expiresIn <= 0 then
      redis.call("PEXPIRE", hitKey, ttl)
      expiresIn = ttl
    end
  end
  local blocked, blockedFor = 0, redis.call("PTTL", blockKey)
  if blockedFor > 0 then
    blocked = 1
  elseif blockedFor == -1 then
    redis.call("DEL", blockKey)
    redis.call("SET", hitKey, 1, "PX", ttl)
    hits, expiresIn, blockedFor = 1, ttl, 0
  elseif hits > limit then
    redis.call("SET", blockKey, 1, "PX", blockDuration)
    blocked, blockedFor = 1, blockDuration
  else
    blockedFor = 0
  end
  out[#out + 1] = hits
  out[#out + 1] = expiresIn
  out[#out + 1] = blocked
  out[#out + 1] = blockedFor
  if blocked == 1 then return out end
end
return out
`);

/**
 * Rate-limit counters in Redis, shared by every API replica. Keys as @nest-lab/throttler-storage-redis
 * spelled them (`{key:name}:hits`, `{key:name}:blocked`), so counters carry over a rolling deploy.
 * The keys of one request's limits are in different hash slots: this needs a single Redis (as
 * Bull does here), not a Redis Cluster.
 */
export class RedisThrottleCounters implements ThrottlerStorage {
  constructor(private readonly redis: Redis) {}

  /** Counts one request against each limit in order; the records end at the first that blocks. */
  async hitAll(hits: readonly ThrottleHit[]): Promise<ThrottlerStorageRecord[]> {
    if (hits.length === 0) return [];
    const keys = hits.flatMap(({ key, name }) => [`{${key}:${name}}:hits`, `{${key}:${name}}:blocked`]);
    const args = hits.flatMap(({ ttl, limit, blockDuration }) => [ttl, limit, blockDuration].map(String));
    const flat = (await HIT_ALL.run(this.redis, keys, args)) as number[];
    const records: ThrottlerStorageRecord[] = [];
    for (let i = 0; i < flat.length; i += 4) {
      records.push({
        totalHits: flat[i],
        timeToExpire: Math.ceil(flat[i + 1] / 1000),
        isBlocked: flat[i + 2] === 1,
        timeToBlockExpire: Math.ceil(flat[i + 3] / 1000),
      });
    }
    return records;
  }

  /** ThrottlerStorage's single count, for anything that uses the storage directly. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<ThrottlerStorageRecord> {
    const [record] = await this.hitAll([{ key, name, ttl, limit, blockDuration }]);
    return record;
  }
}
