import { Injectable } from '@nestjs/common';
import { MaintenanceJobData } from '@conveyor/contracts';
import { ReconcileSweeper } from '../../recovery/reconcile-sweeper.service';
import { SystemTask } from '../system-task';

/**
 * The reconciliation sweep as a system schedule: listed, triggerable, and a backstop run every
 * 15 minutes. The sweep also runs on its own every RECONCILE_INTERVAL_MS (ReconcileSweeper); this
 * run may start inside the cool-down a finished sweep leaves, but never beside a sweep in progress.
 */
@Injectable()
export class ReconcileTask implements SystemTask {
  readonly schedule = {
    name: 'reconcile',
    cron: '*/15 * * * *',
    description: 'Reconciliation sweep: fixes job records that disagree with Bull (also runs every RECONCILE_INTERVAL_MS)',
  };

  constructor(private readonly sweeper: ReconcileSweeper) {}

  async run(data: MaintenanceJobData): Promise<object> {
    // An operator's trigger runs at once; a cron run respects the periodic sweep's cool-down.
    const report = await this.sweeper.sweepOnce({ manual: data.trigger === 'manual' });
    return report ?? { skipped: 'another worker is sweeping now' };
  }
}
