import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { APP_CONFIG, AppConfig, ConfigError } from '@conveyor/config';
import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../duplicate-key';

/** The one document of `conveyor_deployment`: which Bull key prefix this database belongs to. */
export interface ClaimDocument {
  _id: 'claim';
  prefix: string;
  claimedAt: Date;
  /** The Redis data generation the sweep last saw (see RedisEpoch in the worker). */
  redisEpoch?: string;
  /** Set when Redis lost its data: unsettled records written before this are enqueued again. */
  restoreBefore?: Date | null;
}

export const DEPLOYMENT_COLLECTION = 'conveyor_deployment';

/**
 * One database, one deployment (RELIABILITY F14). Job records, queue settings and schedules carry
 * no Bull prefix, so a second deployment (another BULL_PREFIX) on the same database would judge the
 * first one's records against its own, empty queues: its sweep would fail them as missing and its
 * workers would run with the first one's queue settings. The first process to start claims the
 * database for its prefix; any process with another prefix refuses to start, naming both.
 */
@Injectable()
export class DeploymentClaim implements OnModuleInit {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const owner = await this.claim(this.config.redis.prefix);
    if (owner !== this.config.redis.prefix) {
      throw new ConfigError([
        `BULL_PREFIX is "${this.config.redis.prefix}" but this MONGO_URL database belongs to ` +
          `the deployment with BULL_PREFIX "${owner}" (since its first start). Give each deployment its own database; ` +
          `to move a drained deployment to a new prefix, delete the document { _id: "claim" } of ${DEPLOYMENT_COLLECTION}.`,
      ]);
    }
  }

  /** Claims the database for `prefix` unless already claimed; the owning prefix either way. */
  private async claim(prefix: string): Promise<string> {
    const claims = this.connection.collection<ClaimDocument>(DEPLOYMENT_COLLECTION);
    const existing = await claims.findOne({ _id: 'claim' });
    if (existing) return existing.prefix;
    try {
      await claims.insertOne({ _id: 'claim', prefix, claimedAt: new Date() });
      return prefix;
    } catch (error) {
      // Another process claimed it between the read and the insert: its claim stands.
      if (!isDuplicateKey(error)) throw error;
      return (await claims.findOne({ _id: 'claim' }))?.prefix ?? prefix;
    }
  }
}
