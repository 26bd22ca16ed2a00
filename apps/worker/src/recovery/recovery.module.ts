import { Module } from '@nestjs/common';
import { ReconcileSweeper } from './reconcile-sweeper.service';
import { RedisEpoch } from './redis-epoch';

/** Repairs what a crash or a lost write leaves behind: the reconciliation sweep. */
@Module({
  providers: [ReconcileSweeper, RedisEpoch],
  exports: [ReconcileSweeper],
})
export class RecoveryModule {}
