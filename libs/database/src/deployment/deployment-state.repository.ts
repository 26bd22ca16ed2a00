import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ClaimDocument, DEPLOYMENT_COLLECTION } from './deployment-claim';

export type RedisGeneration = Pick<ClaimDocument, 'redisEpoch' | 'restoreBefore'>;

/** The deployment's state kept beside its claim: which Redis data generation it last saw. */
@Injectable()
export class DeploymentStateRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  async redisGeneration(): Promise<RedisGeneration> {
    const claim = await this.claims().findOne({ _id: 'claim' }, { projection: { redisEpoch: 1, restoreBefore: 1 } });
    return { redisEpoch: claim?.redisEpoch, restoreBefore: claim?.restoreBefore ?? null };
  }

  /** Records the Redis generation; `restoreBefore` starts (a Date), keeps (undefined) or ends (null) a restore. */
  async setRedisGeneration(redisEpoch: string, restoreBefore?: Date | null): Promise<void> {
    await this.claims().updateOne({ _id: 'claim' }, { $set: { redisEpoch, ...(restoreBefore !== undefined ? { restoreBefore } : {}) } });
  }

  async endRestore(): Promise<void> {
    await this.claims().updateOne({ _id: 'claim' }, { $set: { restoreBefore: null } });
  }

  private claims() {
    return this.connection.collection<ClaimDocument>(DEPLOYMENT_COLLECTION);
  }
}
