import { Injectable } from '@nestjs/common';
import { QueueName } from '@conveyor/contracts';
import type { Queue } from 'bull';
import { QueueRegistry } from './queue-registry.service';
import { queueKeys } from './redis/redis-keys';

/**
 * Releases one active job whose lock a gone worker holds, as Bull's stalled check would once the
 * lock expired: the lock is dropped only if that worker's token still holds it and nobody has
 * renewed it lately (its time left is below what a live holder's renewals keep it above); the job goes back
 * to the head of waiting (or paused) with its stall counted, or, past the queue's stall limit,
 * stays in active unlocked for Bull's next stalled check to fail.
 * KEYS lock, active, wait, paused, meta-paused, job hash, stalled channel; ARGV token, job id, max
 * stalls, the least time left (ms) a renewed lock has.
 * Returns 1 released, 2 left for Bull to fail, 0 not this token's, renewed lately, or not active.
 */
const RELEASE_LUA = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call("PTTL", KEYS[1]) > tonumber(ARGV[4]) then return 0 end
redis.call("DEL", KEYS[1])
local stalls = tonumber(redis.call("HGET", KEYS[6], "stalledCounter") or "0")
if stalls + 1 > tonumber(ARGV[3]) then return 2 end
if redis.call("LREM", KEYS[2], 1, ARGV[2]) == 0 then return 0 end
redis.call("HINCRBY", KEYS[6], "stalledCounter", 1)
local target = KEYS[3]
if redis.call("EXISTS", KEYS[5]) == 1 then target = KEYS[4] end
redis.call("RPUSH", target, ARGV[2])
redis.call("PUBLISH", KEYS[7], ARGV[2])
return 1
`;

interface BullLockSettings {
  maxStalledCount: number;
  lockDuration: number;
  lockRenewTime: number;
}

/** Active jobs examined per restart (a queue's active list is bounded by its workers' concurrency). */
const ACTIVE_SCAN_LIMIT = 1_000;

/**
 * A queue's consumer restarts (`POST /api/v1/queue/restart`): a generation number in Redis that
 * every worker compares on its settings poll, re-creating its consumer of the queue when it moved;
 * and the release of jobs whose lock is held by a worker that is gone, so they run again now
 * rather than when the lock expires and Bull's stalled check comes round.
 */
@Injectable()
export class ConsumerRestarts {
  constructor(private readonly queues: QueueRegistry) {}

  /** Asks every worker to re-create its consumer of the queue; returns the new generation. */
  async request(name: QueueName): Promise<number> {
    const queue = this.queues.get(name);
    return queue.client.incr(queueKeys(queue).restarts);
  }

  /** The queue's restart generation (0 before any restart). */
  async generation(name: QueueName): Promise<number> {
    const queue = this.queues.get(name);
    return Number(await queue.client.get(queueKeys(queue).restarts)) || 0;
  }

  /**
   * Releases active jobs whose lock holder is none of `liveTokens` (the lock tokens the live workers'
   * heartbeats publish) and has stopped renewing it, skipping jobs that started less than
   * `minActiveMs` ago: a consumer that has just started may hold a lock before its heartbeat names
   * its token. Both tests must hold, so a live worker that missed a heartbeat keeps its jobs. Returns the released ids.
   */
  async releaseOrphaned(name: QueueName, liveTokens: ReadonlySet<string>, minActiveMs: number): Promise<string[]> {
    const queue = this.queues.get(name);
    const ids = await queue.client.lrange(queue.toKey('active'), 0, ACTIVE_SCAN_LIMIT - 1);
    if (ids.length === 0) return [];
    const multi = queue.client.multi();
    for (const id of ids) multi.get(queue.toKey(`${id}:lock`)).hget(queue.toKey(id), 'processedOn');
    const replies = ((await multi.exec()) ?? []).map(([, value]) => value as string | null);
    const cutoff = Date.now() - minActiveMs;
    const released: string[] = [];
    for (const [i, id] of ids.entries()) {
      const [token, processedOn] = [replies[2 * i], Number(replies[2 * i + 1])];
      if (!token || liveTokens.has(token) || !(processedOn <= cutoff)) continue;
      if ((await this.release(queue, id, token)) === 1) released.push(id);
    }
    return released;
  }

  private async release(queue: Queue, jobId: string, token: string): Promise<number> {
    const keys = [`${jobId}:lock`, 'active', 'wait', 'paused', 'meta-paused', jobId].map((k) => queue.toKey(k));
    const { maxStalledCount, lockDuration, lockRenewTime } = (queue as Queue & { settings: BullLockSettings }).settings;
    // A live holder renews every lockRenewTime back to lockDuration; a lock below this has missed renewals.
    const renewedAtLeast = lockDuration - lockRenewTime - Math.min(5_000, lockRenewTime / 2);
    return (await queue.client.eval(
      RELEASE_LUA,
      7,
      ...keys,
      `${queue.toKey('stalled')}@`,
      token,
      jobId,
      String(maxStalledCount),
      String(Math.max(0, Math.floor(renewedAtLeast))),
    )) as number;
  }
}
