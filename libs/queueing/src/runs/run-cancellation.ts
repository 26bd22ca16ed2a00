import { Inject, Injectable, forwardRef } from '@nestjs/common';
import { JobStatus } from '@conveyor/contracts';
import { JobsRepository } from '@conveyor/database';
import { JobControl } from '../job-control.service';
import { RunSettlement, RunToSettle } from './run-settlement';

/**
 * How cancelling a run ended: `cancelling` (a worker holds it and is asked to stop), `cancelled`
 * (recorded, by this call or, for the same run, meanwhile), or `ended` (it finished otherwise).
 */
export type RunCancelOutcome = 'cancelling' | 'cancelled' | 'ended';

/**
 * Cancelling one job's current run, for the job API and for a flow's cancel alike. The request
 * comes first: a reconcile sweep that finds the job gone from the queue before it is recorded
 * cancelled then records it cancelled (not failed as missing), and a worker that takes it
 * meanwhile stops at its first step. Then it is removed from the queue and recorded, or left to
 * its worker if one holds it.
 */
@Injectable()
export class RunCancellation {
  constructor(
    private readonly control: JobControl,
    private readonly jobs: JobsRepository,
    // Settlements feed flows' fan-in, which may cancel: resolved lazily.
    @Inject(forwardRef(() => RunSettlement)) private readonly settlement: RunSettlement,
  ) {}

  /** `record` was read with its run unfinished; `message` says why, for the product's run hook. */
  async cancel(record: RunToSettle['record'], message: string): Promise<RunCancelOutcome> {
    await this.control.requestCancel(record.queue, record._id);
    const outcome = await this.control.removeIfQueued(record.queue, record._id);
    if (outcome === 'running') return 'cancelling';
    if (outcome === 'finished') {
      await this.control.clearCancelRequest(record.queue, record._id);
    } else {
      // Removed (or already gone from Redis): no worker holds the job, so it is recorded here, with
      // a seq above any attempt's (a retry may have been scheduled since the record was read).
      const settled = await this.settlement.settle({ record, status: JobStatus.Cancelled, set: { finishedAt: new Date() }, message });
      if (settled) return 'cancelled';
    }
    // It ended since the record was read: a cancellation of the same run came from this request
    // (through a worker or the sweep), or from a cancel of the same job at the same moment.
    const now = await this.jobs.findByIdUnscoped(record._id);
    return now?.status === JobStatus.Cancelled && (now.run ?? 1) === (record.run ?? 1) ? 'cancelled' : 'ended';
  }
}
