import { Injectable } from '@nestjs/common';
import { ReconcileSweeper } from '../../recovery/reconcile-sweeper.service';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';

/**
 * The reconciliation sweep as a system schedule: listed, triggerable, and a backstop run every
 * 15 minutes. The sweep also runs on its own every RECONCILE_INTERVAL_MS (ReconcileSweeper); a
 * task run, scheduled or triggered, may start inside the cool-down a finished sweep leaves (else a
 * cron run would nearly always find it and do nothing), but never beside a sweep in progress.
 */
@SystemTaskProvider()
@Injectable()
export class ReconcileTask implements SystemTask {
  readonly schedule = {
    name: 'reconcile',
    cron: '*/15 * * * *',
    description: 'Reconciliation sweep: fixes job records that disagree with Bull (also runs every RECONCILE_INTERVAL_MS)',
  };

  constructor(private readonly sweeper: ReconcileSweeper) {}

  async run(): Promise<object> {
    const report = await this.sweeper.sweepOnce({ manual: true });
    return report ?? { skipped: 'another worker is sweeping now' };
  }
}
