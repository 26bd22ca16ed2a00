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
import { queueKeys } from '../redis/redis-keys';

/**
 * Counts a batch of outcomes of one minute in that minute's and hour's buckets and, for the timed
 * ones, adds each processing time to the hour's totals and to the hour's sample by reservoir
 * sampling (Algorithm R; the random numbers come from the caller, since scripts must be
 * deterministic), so the sample stays bounded and uniform over the whole hour. One round trip,
 * atomic, whatever the batch's size.
 * KEYS minute, hour, samples, last; ARGV minute ttl, hour ttl, cap, now, n outcome kinds, then
 * n × (outcome, count), then m timed jobs, then m × (duration, random).
 */
const RECORD_OUTCOMES_LUA = `
local minuteKey, hourKey, samplesKey, lastKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local minuteTtl, hourTtl, cap, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local i = 6
for _ = 1, tonumber(ARGV[5]) do
  redis.call("HINCRBY", minuteKey, ARGV[i], ARGV[i + 1])
  redis.call("HINCRBY", hourKey, ARGV[i], ARGV[i + 1])
  i = i + 2
end
redis.call("EXPIRE", minuteKey, minuteTtl)
local timedCount = tonumber(ARGV[i])
i = i + 1
if timedCount > 0 then
  local sum = 0
  for d = 0, timedCount - 1 do sum = sum + tonumber(ARGV[i + 2 * d]) end
  redis.call("HINCRBY", hourKey, "durationSumMs", sum)
  local timed = redis.call("HINCRBY", hourKey, "durations", timedCount) - timedCount
  for d = 0, timedCount - 1 do
    local duration, random = ARGV[i + 2 * d], tonumber(ARGV[i + 2 * d + 1])
    timed = timed + 1
    if timed <= cap then
      redis.call("RPUSH", samplesKey, duration)
    else
      local slot = math.floor(random * timed)
      if slot < cap then redis.pcall("LSET", samplesKey, slot, duration) end
    end
  end
  redis.call("EXPIRE", samplesKey, hourTtl)
end
redis.call("EXPIRE", hourKey, hourTtl)
redis.call("SET", lastKey, now)
return 1
`;

/** One attempt's outcome, as the worker saw it end. */
export interface OutcomeSample {
  outcome: JobOutcome;
  durationMs: number;
  /** When it ended (ms since the epoch). */
  at: number;
}

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

  /**
   * Counts a batch of outcomes (durations are sampled for completed jobs only): one script per
   * minute they span. Workers send theirs every moment (OutcomeBuffer).
   */
  async recordOutcomes(queue: QueueName | string, samples: readonly OutcomeSample[]): Promise<void> {
    const q = this.queues.get(queue);
    const byMinute = new Map<number, OutcomeSample[]>();
    for (const sample of samples) {
      const minute = bucketIndex(sample.at, MINUTE_MS);
      const inMinute = byMinute.get(minute);
      if (inMinute) inMinute.push(sample);
      else byMinute.set(minute, [sample]);
    }
    for (const [minute, inMinute] of byMinute) {
      const last = Math.max(...inMinute.map((s) => s.at));
      const hour = bucketIndex(last, HOUR_MS);
      const keys = [this.key(q, `m:${minute}`), this.key(q, `h:${hour}`), this.key(q, `h:${hour}:samples`), this.key(q, 'last')];
      const counts = new Map<JobOutcome, number>();
      for (const { outcome } of inMinute) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      const timed = inMinute.filter((s) => s.outcome === 'completed');
      await q.client.eval(
        RECORD_OUTCOMES_LUA,
        keys.length,
        ...keys,
        MINUTE_BUCKET_TTL_SECONDS,
        HOUR_BUCKET_TTL_SECONDS,
        SAMPLES_PER_HOUR,
        last,
        counts.size,
        ...[...counts].flatMap(([outcome, count]) => [outcome, count]),
        timed.length,
        ...timed.flatMap((s) => [Math.max(0, Math.round(s.durationMs)), Math.random()]),
      );
    }
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

  /**
   * The job a worker takes next (the tail of Bull's wait list, or of its paused list) and since
   * when it has waited: its submission plus the delay it asked for, or its last attempt's start
   * for a retry (Bull keeps a job's creation time through delays and retries). Null when none waits.
   */
  async nextWaiting(queue: QueueName | string): Promise<{ jobId: string; timestamp: number } | null> {
    const q = this.queues.get(queue);
    const jobId = (await q.client.lindex(q.toKey('wait'), -1)) ?? (await q.client.lindex(q.toKey('paused'), -1));
    if (jobId === null) return null;
    const [created, opts, processedOn] = await q.client.hmget(q.toKey(jobId), 'timestamp', 'opts', 'processedOn');
    const delay = Number((JSON.parse(opts ?? '{}') as { delay?: unknown }).delay) || 0;
    const since = Math.max(Number(created) + delay, Number(processedOn) || 0);
    return Number.isFinite(since) && since > 0 ? { jobId, timestamp: since } : null;
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
    return queueKeys(queue).metrics(suffix);
  }
}

function replyValues(replies: Array<[Error | null, unknown]> | null): unknown[] {
  return (replies ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
