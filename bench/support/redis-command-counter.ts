import Redis from 'ioredis';

/** Calls per command name the Redis server has run (INFO commandstats), the counter's own INFO aside. */
export async function redisCommandCounts(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') counts.set(match[1], Number(match[2]));
  }
  return counts;
}

/** What the server ran between two readings of redisCommandCounts: per command and in all. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): { total: number; byCommand: Map<string, number> } {
  const byCommand = new Map<string, number>();
  let total = 0;
  for (const [name, calls] of after) {
    const delta = calls - (before.get(name) ?? 0);
    if (delta <= 0) continue;
    byCommand.set(name, delta);
    total += delta;
  }
  return { total, byCommand };
}

/** The commands that cost most per job, largest first: "evalsha 3.1, hget 2.0, …". */
export function topCommandsPerJob(byCommand: Map<string, number>, jobs: number, top = 8): string {
  return [...byCommand]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, calls]) => `${name} ${(calls / jobs).toFixed(2)}`)
    .join(', ');
}

/** Bytes the Redis server has read from its clients so far (INFO stats `total_net_input_bytes`). */
export async function redisInputBytes(redis: Redis): Promise<number> {
  const match = (await redis.info('stats')).match(/^total_net_input_bytes:(\d+)/m);
  return match ? Number(match[1]) : NaN;
}
