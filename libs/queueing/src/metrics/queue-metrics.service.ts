import { Injectable } from '@nestjs/common';
import { JobOutcome, QueueName } from '@conveyor/contracts';
import { Queue } from 'bull';
import { QueueRegistry } from '../queue-registry.service';
import {
  HOUR_BUCKET_TTL_SECONDS,
  HOUR_MS,
  HourlyBucket,
  METRICS_RETENTION_HOURS,
  MINUTE_BUCKET_TTL_SECONDS,
  MINUTE_MS,
  OutcomeCounts,
  SAMPLES_PER_HOUR,
  bucketIndex,
  hourlyBucket,
  outcomeCounts,
  sumCounts,
  trailingBuckets,
} from './metric-buckets';

/**
 * Counts one outcome in its minute and hour buckets and, for a timed job, adds its processing time
 * to the hour's totals and to the hour's sample by reservoir sampling (Algorithm R; the random
 * number comes from the caller, since scripts must be deterministic), so the sample stays bounded
 * and uniform over the whole hour. One round trip, atomic.
 */
const RECORD_OUTCOME_LUA = `
local minuteKey, hourKey, samplesKey, lastKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local outcome, duration, minuteTtl, hourTtl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local random, cap, now = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
redis.call("HINCRBY", minuteKey, outcome, 1)
redis.call("EXPIRE", minuteKey, minuteTtl)
redis.call("HINCRBY", hourKey, outcome, 1)
if duration ~= "" then
  redis.call("HINCRBY", hourKey, "durationSumMs", duration)
  local timed = redis.call("HINCRBY", hourKey, "durations", 1)
  if timed <= cap then
    redis.call("RPUSH", samplesKey, duration)
  else
    local slot = math.floor(random * timed)
    if slot < cap then redis.pcall("LSET", samplesKey, slot, duration) end
  end
  redis.call("EXPIRE", samplesKey, hourTtl)
end
redis.call("EXPIRE", hourKey, hourTtl)
redis.call("SET", lastKey, now)
return 1
`;

/** A queue's live counts (one round trip): waiting includes the jobs of a paused queue. */
export interface LiveQueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** An active job and when its current attempt started. */
export interface ActiveJob {
  jobId: string;
  type: string;
  startedAt: number | null;
}

/**
 * Per-queue work metrics, kept in Redis so every worker adds to the same counters and every API
 * replica reads them (DESIGN §2: shared counters live in Redis, with atomic increments). Workers
 * record each attempt's outcome; `/health/detailed` and the queues API read per-minute windows and
 * per-hour buckets (completed, failed for good, retried, cancelled, average and p95 processing time).
 */
@Injectable()
export class QueueMetrics {
  constructor(private readonly queues: QueueRegistry) {}

  /** Counts an attempt's outcome; `durationMs` is sampled for completed jobs only. */
  async recordOutcome(queue: QueueName | string, outcome: JobOutcome, durationMs: number, now = Date.now()): Promise<void> {
    const q = this.queues.get(queue);
    const hour = bucketIndex(now, HOUR_MS);
    const keys = [
      this.key(q, `m:${bucketIndex(now, MINUTE_MS)}`),
      this.key(q, `h:${hour}`),
      this.key(q, `h:${hour}:samples`),
      this.key(q, 'last'),
    ];
    const duration = outcome === 'completed' ? String(Math.max(0, Math.round(durationMs))) : '';
    await q.client.eval(
      RECORD_OUTCOME_LUA,
      keys.length,
      ...keys,
      outcome,
      duration,
      MINUTE_BUCKET_TTL_SECONDS,
      HOUR_BUCKET_TTL_SECONDS,
      Math.random(),
      SAMPLES_PER_HOUR,
      now,
    );
  }

  /** The last `hours` hours (1–168, the current one included), oldest first. One round trip. */
  async hourlyBuckets(queue: QueueName | string, hours: number, now = Date.now()): Promise<HourlyBucket[]> {
    if (!Number.isInteger(hours) || hours < 1 || hours > METRICS_RETENTION_HOURS) {
      throw new RangeError(`hours must be an integer from 1 to ${METRICS_RETENTION_HOURS}, got ${hours}`);
    }
    const q = this.queues.get(queue);
    const indexes = trailingBuckets(now, HOUR_MS, hours);
    const multi = q.client.multi();
    for (const index of indexes) multi.hgetall(this.key(q, `h:${index}`)).lrange(this.key(q, `h:${index}:samples`), 0, -1);
    const replies = replyValues(await multi.exec());
    return indexes.map((index, i) => hourlyBucket(index, replies[2 * i] as Record<string, string>, replies[2 * i + 1] as string[]));
  }

  /** Outcomes over the last `minutes` minutes (1–60, the current one included). One round trip. */
  async recentCounts(queue: QueueName | string, minutes: number, now = Date.now()): Promise<OutcomeCounts> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60)
      throw new RangeError(`minutes must be an integer from 1 to 60, got ${minutes}`);
    const q = this.queues.get(queue);
    const multi = q.client.multi();
    for (const index of trailingBuckets(now, MINUTE_MS, minutes)) multi.hgetall(this.key(q, `m:${index}`));
    return sumCounts(replyValues(await multi.exec()).map((hash) => outcomeCounts(hash as Record<string, string>)));
  }

  /** When a worker last finished an attempt on the queue (any outcome), or null. */
  async lastProcessedAt(queue: QueueName | string): Promise<Date | null> {
    const q = this.queues.get(queue);
    const at = await q.client.get(this.key(q, 'last'));
    return at === null ? null : new Date(Number(at));
  }

  /** Live counts from Bull's lists and sets, in one round trip (never one call per job). */
  async counts(queue: QueueName | string): Promise<LiveQueueCounts> {
    const counts = await this.queues.get(queue).getJobCounts();
    const paused = (counts as { paused?: number }).paused ?? 0;
    return {
      waiting: counts.waiting + paused,
      active: counts.active,
      delayed: counts.delayed,
      failed: counts.failed,
      completed: counts.completed,
    };
  }

  /** The `limit` longest-running active jobs (two round trips whatever the limit). */
  async oldestActive(queue: QueueName | string, limit: number): Promise<ActiveJob[]> {
    const q = this.queues.get(queue);
    // Bull pushes newly active jobs to the head of its active list, so the oldest are at the tail.
    const ids = await q.client.lrange(q.toKey('active'), -limit, -1);
    if (ids.length === 0) return [];
    const multi = q.client.multi();
    for (const id of ids) multi.hmget(q.toKey(id), 'name', 'processedOn');
    const fields = replyValues(await multi.exec()) as Array<[string | null, string | null]>;
    return ids
      .map((jobId, i) => ({ jobId, type: fields[i]?.[0] ?? '', startedAt: fields[i]?.[1] ? Number(fields[i][1]) : null }))
      .filter((job) => job.type !== '');
  }

  private key(queue: Queue, suffix: string): string {
    return queue.toKey(`conveyor:metrics:${suffix}`);
  }
}

function replyValues(replies: Array<[Error | null, unknown]> | null): unknown[] {
  return (replies ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
