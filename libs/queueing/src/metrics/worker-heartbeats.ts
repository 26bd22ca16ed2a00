import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { RedisConnections } from '../redis-connections';
import { conveyorKeys } from '../redis/redis-keys';

/** How often a worker process writes its heartbeat. */
export const WORKER_HEARTBEAT_INTERVAL_MS = 5_000;
/** A heartbeat lives this long: a worker silent for three intervals is gone. */
export const WORKER_HEARTBEAT_TTL_MS = 3 * WORKER_HEARTBEAT_INTERVAL_MS;

/** What one worker process says about itself every few seconds. */
export interface WorkerHeartbeat {
  /** hostname:pid:random, unique per process start. */
  id: string;
  pid: number;
  hostname: string;
  /** Queues it consumes, with the concurrency of each and the jobs it is running on each now. */
  queues: string[];
  concurrency: Record<string, number>;
  activeJobs: Record<string, number>;
  /** The Bull lock tokens of its consumers (current and closing): a lock held by none of the live workers' is orphaned. */
  lockTokens?: string[];
  startedAt: string;
  /** When this heartbeat was written (the worker's clock). */
  beatAt: string;
}

/**
 * Live worker processes, through heartbeats in Redis: each worker refreshes a key of its own that
 * expires after WORKER_HEARTBEAT_TTL_MS, and adds its id to an index set, so readers find every
 * worker without scanning the keyspace and a killed worker disappears on its own. Read by
 * `/health/detailed` and the queues API (active workers, capacity).
 */
@Injectable()
export class WorkerHeartbeats {
  private readonly keys: ReturnType<typeof conveyorKeys>;
  private readonly indexKey: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly connections: RedisConnections,
  ) {
    this.keys = conveyorKeys(config.redis.prefix);
    this.indexKey = this.keys.workers;
  }

  async publish(beat: WorkerHeartbeat): Promise<void> {
    await this.connections
      .commandClient()
      .multi()
      .set(this.key(beat.id), JSON.stringify(beat), 'PX', WORKER_HEARTBEAT_TTL_MS)
      .sadd(this.indexKey, beat.id)
      .exec();
  }

  /** Called by a worker that stops, so it leaves the list at once rather than when its key expires. */
  async remove(id: string): Promise<void> {
    await this.connections.commandClient().multi().del(this.key(id)).srem(this.indexKey, id).exec();
  }

  /** Every worker whose heartbeat has not expired, oldest first; drops expired ids from the index. */
  async list(): Promise<WorkerHeartbeat[]> {
    const client = this.connections.commandClient();
    const ids = await client.smembers(this.indexKey);
    if (ids.length === 0) return [];
    const values = await client.mget(...ids.map((id) => this.key(id)));
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length > 0) await client.srem(this.indexKey, ...gone);
    return values
      .filter((value): value is string => value !== null)
      .map((value) => JSON.parse(value) as WorkerHeartbeat)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  private key(id: string): string {
    return this.keys.workerHeartbeat(id);
  }
}
