import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import { RedisConnections, conveyorKeys } from '@conveyor/queueing';
import { randomUUID } from 'node:crypto';

/** A slot not refreshed for this long belongs to a stream whose API process died; it no longer counts. */
export const SLOT_TTL_MS = 45_000;
/** What a refused client is told to wait: streams end when their jobs do, so slots free up quickly. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Takes a slot only while the caller holds fewer than `max` live ones: prunes slots whose expiry
 * passed, counts, adds. Atomic, so concurrent opens on any number of replicas cannot overshoot.
 * KEYS[1] the caller's set; ARGV now, expiry, max, slot id, key ttl (ms).
 */
const ACQUIRE_LUA = `
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", ARGV[1])
if redis.call("ZCARD", KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call("ZADD", KEYS[1], ARGV[2], ARGV[4])
redis.call("PEXPIRE", KEYS[1], ARGV[5])
return 1
`;

/** A held slot: refresh it with every heartbeat, release it when the stream ends. */
export interface StreamSlot {
  /** False when the slot is gone (expired during a stall, so it may no longer fit the cap). */
  refresh(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * The per-caller cap on open event streams (`SSE_MAX_STREAMS_PER_CALLER`), counted in Redis so it
 * holds across API replicas: one sorted set per caller, a member per open stream scored with its
 * expiry. Heartbeats push the expiry forward; a closed stream removes its member; the members of a
 * process that died expire after SLOT_TTL_MS.
 */
@Injectable()
export class StreamSlots {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnections,
  ) {}

  /** A slot for the caller, or 429 RATE_LIMITED with Retry-After when they hold the maximum. */
  async acquire(ownerKey: string): Promise<StreamSlot> {
    const redis = this.connections.commandClient();
    const key = conveyorKeys(this.config.redis.prefix).sseStreams(ownerKey);
    const slotId = randomUUID();
    const max = this.config.http.sseMaxStreamsPerCaller;
    let taken: unknown;
    try {
      const now = Date.now();
      taken = await redis.eval(ACQUIRE_LUA, 1, key, String(now), String(now + SLOT_TTL_MS), String(max), slotId, String(SLOT_TTL_MS));
    } catch (cause) {
      // Without Redis the cap cannot be enforced; refuse rather than let streams pile up.
      throw new ConveyorError(ErrorCode.ServiceUnavailable, 'Event streams are unavailable right now; retry later', {
        cause,
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
    if (taken !== 1) {
      throw new ConveyorError(ErrorCode.RateLimited, `At most ${max} event streams may be open per caller; close one or retry later`, {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
    return {
      refresh: async () => {
        // XX: only an existing slot is extended; a pruned one is not re-added past the cap.
        const replies = await redis
          .multi()
          .zadd(key, 'XX', 'CH', String(Date.now() + SLOT_TTL_MS), slotId)
          .pexpire(key, SLOT_TTL_MS)
          .exec();
        return Number(replies?.[0]?.[1]) === 1;
      },
      release: async () => {
        await redis.zrem(key, slotId);
      },
    };
  }
}
