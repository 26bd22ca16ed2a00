import { Injectable, Logger } from '@nestjs/common';
import { JobStatus, JobType, ViralEntryStatus, messageOf } from '@conveyor/contracts';
import { ViralIdeasRepository } from '@conveyor/database';

/** A run that ended without its worker, as the code that settled its record knows it. */
export interface RunEndedWithoutWorker {
  jobId: string;
  type: string;
  status: JobStatus;
  /** Why, in words for the job type's own state (a viral-ideas entry's `error_message`). */
  message: string;
}

/**
 * Where a job type's own state hears that a run ended without its worker: cancelled or cleared
 * while queued, failed by an operator's clear-stuck, or settled by the reconcile sweep. Runs a
 * worker ends itself are its handler's (`onFailure`). Only viral-ideas entries follow their runs
 * today; without this, an entry whose queued run was cancelled would stay `pending` and the next
 * batch would start it again.
 */
@Injectable()
export class RunEndings {
  private readonly logger = new Logger(RunEndings.name);

  constructor(private readonly viralIdeas: ViralIdeasRepository) {}

  async endedWithoutWorker({ jobId, type, status, message }: RunEndedWithoutWorker): Promise<void> {
    if (type !== JobType.ViralIdeasAnalysis) return;
    const entryStatus =
      status === JobStatus.Cancelled ? ViralEntryStatus.Paused : status === JobStatus.Failed ? ViralEntryStatus.Failed : null;
    if (!entryStatus) return;
    try {
      await this.viralIdeas.runEndedByJob(jobId, entryStatus, message);
    } catch (error) {
      // The job record is settled already; the entry is left for its owner or an admin to restart.
      this.logger.warn(`Viral-ideas entry of job ${jobId} not updated to ${entryStatus}: ${messageOf(error)}`);
    }
  }
}
