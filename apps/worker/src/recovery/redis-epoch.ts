import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { DeploymentStateRepository } from '@conveyor/database';
import { RedisConnections, conveyorKeys } from '@conveyor/queueing';
import { randomUUID } from 'node:crypto';

/**
 * Notices Redis losing its data (RELIABILITY F8: no persistence, a FLUSHALL, a failover to an
 * empty replica). A random generation id lives both in Redis and in MongoDB; when Redis no longer
 * holds the one MongoDB remembers, every waiting or delayed record written before that moment is
 * enqueued again by the sweep, instead of being failed as missing from its queue.
 */
export interface SweepGeneration {
  epoch: string;
  restoreBefore: Date | null;
  /** The loss was noticed by this check: the sweep starts its pass from the oldest record. */
  lossNoticed?: boolean;
}

@Injectable()
export class RedisEpoch {
  private readonly logger = new Logger(RedisEpoch.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly state: DeploymentStateRepository,
    private readonly connections: RedisConnections,
  ) {}

  /**
   * Called at the start of each sweep: the generation the sweep works in, and the moment before
   * which records are restored (null when no restore is going on).
   */
  async check(): Promise<SweepGeneration> {
    const redis = this.connections.commandClient();
    const [inRedis, known] = await Promise.all([redis.get(this.key()), this.state.redisGeneration()]);
    if (inRedis && inRedis === known.redisEpoch) return { epoch: inRedis, restoreBefore: known.restoreBefore ?? null };
    if (!known.redisEpoch) {
      // The first sweep of this deployment: adopt the generation Redis has, or start one.
      const epoch = inRedis ?? randomUUID();
      await this.state.setRedisGeneration(epoch);
      await redis.set(this.key(), epoch);
      return { epoch, restoreBefore: known.restoreBefore ?? null };
    }
    const restoreBefore = known.restoreBefore ?? new Date();
    const epoch = randomUUID();
    // MongoDB first: if this sweep dies here, the next one sees the mismatch again and carries on.
    await this.state.setRedisGeneration(epoch, restoreBefore);
    await redis.set(this.key(), epoch);
    this.logger.warn(
      `Redis lost its data (generation ${known.redisEpoch} is gone): waiting and delayed jobs recorded before ` +
        `${restoreBefore.toISOString()} are enqueued again from MongoDB`,
    );
    return { epoch, restoreBefore, lossNoticed: true };
  }

  /**
   * Whether Redis still holds the generation a sweep started in. A sweep checks before failing a
   * job as missing from its queue: missing because Redis lost it mid-sweep is the next sweep's
   * restore, not a failure.
   */
  async unchanged(epoch: string): Promise<boolean> {
    return (await this.connections.commandClient().get(this.key())) === epoch;
  }

  private key(): string {
    return conveyorKeys(this.config.redis.prefix).epoch;
  }

  /** A sweep pass that reached the newest records after the restore began ends the restore. */
  async restoreDone(): Promise<void> {
    await this.state.endRestore();
    this.logger.log('Redis restore finished: every unsettled record from before the loss was checked');
  }
}
