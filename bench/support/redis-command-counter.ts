import Redis from 'ioredis';

/** Every Redis command the server ran (INFO commandstats), so a delta counts what a section cost. */
export async function redisCommandTotal(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    // The counter's own INFO calls are not the workload's.
    if (match[1] !== 'info') total += Number(match[2]);
  }
  return total;
}

/** Counts the commands `work` makes the Redis server run. */
export async function countRedisCommands<T>(redis: Redis, work: () => Promise<T>): Promise<{ value: T; commands: number }> {
  const before = await redisCommandTotal(redis);
  const value = await work();
  return { value, commands: (await redisCommandTotal(redis)) - before };
}
