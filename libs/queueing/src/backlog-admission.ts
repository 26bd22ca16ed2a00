import { Injectable } from '@nestjs/common';
import { QueueName } from '@conveyor/contracts';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { QueueRegistry } from './queue-registry.service';
import { LuaScript } from './redis/lua-script';
import { queueKeys } from './redis/redis-keys';

/** The Redis flag of a draining queue (set and cleared by QueueSettings). */
export function drainingKey(queue: Queue): string {
  return queueKeys(queue).draining;
}

/** A reservation of a submit whose process died before releasing it stops counting after this. */
const RESERVATION_TTL_MS = 30_000;

/**
 * Reserves room in a queue's backlog, atomically: counts the jobs not yet running (waiting or
 * paused, and delayed) plus the live reservations of submits still on their way to Bull, and
 * reserves up to `wanted` of what is left under the limit. Nothing while draining (-1).
 * Reservations whose submit died (past their expiry score) are pruned only when they stand in the
 * way, and the set empties itself as submits release theirs: a submit with room pays for neither.
 * KEYS wait, paused, delayed, draining flag, reservations; ARGV limit, wanted, reservation id, ttl.
 * Returns { granted (-1 draining), backlog, room before this reservation }.
 */
const RESERVE = new LuaScript(`
local backlog = redis.call("LLEN", KEYS[1]) + redis.call("LLEN", KEYS[2]) + redis.call("ZCARD", KEYS[3])
if redis.call("EXISTS", KEYS[4]) == 1 then return { -1, backlog, 0 } end
local limit, wanted = tonumber(ARGV[1]), tonumber(ARGV[2])
local reserved = redis.call("ZCARD", KEYS[5])
if wanted == 0 and reserved == 0 then return { 0, backlog, math.max(0, limit - backlog) } end
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if reserved > 0 and limit - backlog - reserved < math.max(wanted, 1) then
  redis.call("ZREMRANGEBYSCORE", KEYS[5], "-inf", now)
  reserved = redis.call("ZCARD", KEYS[5])
end
local room = math.max(0, limit - backlog - reserved)
local granted = math.min(room, wanted)
for i = 1, granted do redis.call("ZADD", KEYS[5], now + tonumber(ARGV[4]), ARGV[3] .. ":" .. i) end
return { granted, backlog, room }
`);

export interface BacklogReservation {
  /** How many of the wanted jobs may be enqueued (0 when full or draining). */
  granted: number;
  draining: boolean;
  /** Jobs not yet running when the reservation was taken. */
  backlog: number;
  /** Free room before this reservation (the limit less the backlog and others' reservations). */
  room: number;
  /** Call once the granted jobs are in Bull (or failed to get there): they count as themselves now. */
  release(): Promise<void>;
}

/**
 * Admission against a queue's backlog limit that holds under concurrent submits on any number of
 * API replicas (RELIABILITY L2): a count and a later add would let every submit in flight see the
 * same free room. Room is reserved in the check itself and released after the add; until then a
 * job counts twice, which can only refuse early under contention, never admit past the limit.
 */
@Injectable()
export class BacklogAdmission {
  constructor(private readonly queues: QueueRegistry) {}

  async reserve(queue: QueueName, limit: number, wanted: number): Promise<BacklogReservation> {
    const q = this.queues.get(queue);
    const reservations = queueKeys(q).admission;
    const id = randomUUID();
    const keys = [q.toKey('wait'), q.toKey('paused'), q.toKey('delayed'), drainingKey(q), reservations];
    const [granted, backlog, room] = (await RESERVE.run(q.client, keys, [
      String(limit),
      String(wanted),
      id,
      String(RESERVATION_TTL_MS),
    ])) as [number, number, number];
    const members = Array.from({ length: Math.max(0, granted) }, (_, i) => `${id}:${i + 1}`);
    return {
      granted: Math.max(0, granted),
      draining: granted === -1,
      backlog,
      room,
      release: async () => {
        if (members.length > 0) await q.client.zrem(reservations, ...members);
      },
    };
  }
}
