import { Module } from '@nestjs/common';
import { ReconcileSweeper } from './reconcile-sweeper.service';

/** Repairs what a crash or a lost write leaves behind: the reconciliation sweep. */
@Module({
  providers: [ReconcileSweeper],
  exports: [ReconcileSweeper],
})
export class RecoveryModule {}
