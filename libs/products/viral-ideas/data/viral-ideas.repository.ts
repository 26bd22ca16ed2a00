import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { Model } from 'mongoose';
import { insertUnlessDuplicate } from '@conveyor/database';
import { ViralCompetitor } from './viral-competitor.schema';
import { ViralEntry } from './viral-entry.schema';
import { ViralResult } from './viral-result.schema';
import { AWAITING_PICKUP_STEP, CompetitorProcessingStatus, ViralEntryStatus } from '../contracts';

/** The entry as read when a run is claimed: the fields the compare-and-set compares. */
export type RunClaimBasis = Pick<ViralEntry, '_id' | 'status' | 'active_job_id'>;

/** How an entry's run can end other than well: `paused` (cancelled) may be started again. */
export type EndedRunStatus = ViralEntryStatus.Failed | ViralEntryStatus.Paused;

/** What a run writes when it ends well. */
export interface RunCompletion {
  completedAt: Date;
  totalRuns: number;
  nextScheduledRun: Date | null;
}

/**
 * The viral-ideas product's collections: entries, their competitors and analysis results. Entry
 * writes during a run are guarded on `active_job_id`, so a superseded run (its entry was started
 * again after it was presumed stuck) can no longer touch the entry.
 */
@Injectable()
export class ViralIdeasRepository {
  constructor(
    @InjectModel(ViralEntry.name) private readonly entryModel: Model<ViralEntry>,
    @InjectModel(ViralCompetitor.name) private readonly competitorModel: Model<ViralCompetitor>,
    @InjectModel(ViralResult.name) private readonly resultModel: Model<ViralResult>,
  ) {}

  /** Inserts an entry and its competitors; false when its owner already has an entry for the session. */
  async create(entry: ViralEntry, competitors: ViralCompetitor[]): Promise<boolean> {
    if (!(await insertUnlessDuplicate(this.entryModel, entry))) return false;
    try {
      if (competitors.length > 0) await this.competitorModel.insertMany(competitors);
    } catch (error) {
      await this.entryModel.deleteOne({ _id: entry._id }).exec();
      throw error;
    }
    return true;
  }

  async find(id: string): Promise<ViralEntry | null> {
    return this.entryModel.findById(id).lean<ViralEntry>().exec();
  }

  /** The owner's entry for a session (session ids are unique per owner, not overall). */
  async findBySession(ownerKey: string, sessionId: string): Promise<ViralEntry | null> {
    if (typeof ownerKey !== 'string') throw new TypeError('ownerKey must be a string');
    return this.entryModel.findOne({ session_id: sessionId, owner_key: ownerKey }).lean<ViralEntry>().exec();
  }

  /** For admins: the most recently submitted entry of a session, whoever owns it. */
  async findBySessionAsAdmin(sessionId: string): Promise<ViralEntry | null> {
    return this.entryModel.findOne({ session_id: sessionId }).sort({ submitted_at: -1, _id: 1 }).lean<ViralEntry>().exec();
  }

  async competitorsOf(queueId: string, activeOnly = false): Promise<ViralCompetitor[]> {
    const filter = activeOnly ? { queue_id: queueId, is_active: true } : { queue_id: queueId };
    return this.competitorModel.find(filter).sort({ added_at: 1, _id: 1 }).lean<ViralCompetitor[]>().exec();
  }

  /** Entries a batch may start: pending ones, and processing ones started before `stuckBefore`. */
  async batchCandidates(stuckBefore: Date): Promise<ViralEntry[]> {
    return this.entryModel
      .find({
        $or: [
          { status: ViralEntryStatus.Pending },
          { status: ViralEntryStatus.Processing, started_processing_at: mongoose.trusted({ $lt: stuckBefore }) },
        ],
      })
      .sort({ priority: 1, submitted_at: 1, _id: 1 })
      .lean<ViralEntry[]>()
      .exec();
  }

  /** Completed entries with auto re-run on whose next run is due. */
  async dueReruns(now: Date, limit: number): Promise<ViralEntry[]> {
    return this.entryModel
      .find({
        status: ViralEntryStatus.Completed,
        auto_rerun_enabled: true,
        next_scheduled_run: mongoose.trusted({ $lte: now }),
      })
      .sort({ next_scheduled_run: 1, _id: 1 })
      .limit(limit)
      .lean<ViralEntry[]>()
      .exec();
  }

  /** Counts per status, every status present (zero when none). */
  async countByStatus(ownerKey?: string): Promise<Record<string, number>> {
    const rows = await this.entryModel
      .aggregate<{ _id: string; count: number }>([
        ...(ownerKey ? [{ $match: { owner_key: ownerKey } }] : []),
        { $group: { _id: '$status', count: { $sum: 1 } } },
      ])
      .exec();
    const counts: Record<string, number> = Object.fromEntries(Object.values(ViralEntryStatus).map((s) => [s, 0]));
    for (const row of rows) counts[row._id] = row.count;
    return counts;
  }

  /** Entries for processing statistics: run timings of the most recently completed ones. */
  async recentlyCompleted(limit: number, ownerKey?: string): Promise<ViralEntry[]> {
    return this.entryModel
      .find({ status: ViralEntryStatus.Completed, ...(ownerKey ? { owner_key: ownerKey } : {}) })
      .sort({ completed_at: -1, _id: 1 })
      .limit(limit)
      .lean<ViralEntry[]>()
      .exec();
  }

  /**
   * Points the entry at a new run's job if it still is as read (compare-and-set on status and
   * `active_job_id`), so of two starts racing one wins. The entry is `pending` (awaiting a worker)
   * from then until the worker takes the run.
   */
  async claimRun(basis: RunClaimBasis, jobId: string, now: Date): Promise<boolean> {
    const result = await this.entryModel
      .updateOne(
        { _id: basis._id, status: basis.status, active_job_id: basis.active_job_id },
        {
          $set: {
            status: ViralEntryStatus.Pending,
            active_job_id: jobId,
            current_step: AWAITING_PICKUP_STEP,
            progress_percentage: 0,
            error_message: null,
            updated_at: now,
          },
        },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Undoes a claim whose enqueue failed (only if nothing else claimed the entry since). */
  async releaseClaim(jobId: string, previous: ViralEntry): Promise<void> {
    const { status, active_job_id, current_step, progress_percentage, error_message } = previous;
    await this.entryModel
      .updateOne(
        { _id: previous._id, active_job_id: jobId },
        { $set: { status, active_job_id, current_step, progress_percentage, error_message, updated_at: new Date() } },
      )
      .exec();
  }

  /** The run's worker took it: `processing` from now. False when the run was superseded. */
  async runStarted(id: string, jobId: string, step: string, progress: number, now: Date): Promise<boolean> {
    return this.runWrite(id, jobId, {
      status: ViralEntryStatus.Processing,
      started_processing_at: now,
      current_step: step,
      progress_percentage: progress,
      error_message: null,
    });
  }

  async runProgress(id: string, jobId: string, step: string, progress: number): Promise<boolean> {
    return this.runWrite(id, jobId, { current_step: step, progress_percentage: progress });
  }

  /** An attempt failed and another will follow: the entry stays `processing` and says why. */
  async runRetrying(id: string, jobId: string, message: string): Promise<boolean> {
    return this.runWrite(id, jobId, { current_step: 'Retrying after a failed attempt', error_message: message });
  }

  async runCompleted(id: string, jobId: string, done: RunCompletion): Promise<boolean> {
    return this.runWrite(id, jobId, {
      status: ViralEntryStatus.Completed,
      current_step: 'Analysis complete',
      progress_percentage: 100,
      error_message: null,
      completed_at: done.completedAt,
      last_analysis_at: done.completedAt,
      total_runs: done.totalRuns,
      next_scheduled_run: done.nextScheduledRun,
    });
  }

  /** The run failed for good (`failed`) or was cancelled (`paused`: it may be started again). */
  async runEnded(id: string, jobId: string, status: EndedRunStatus, message: string): Promise<boolean> {
    return this.runWrite(id, jobId, endedRunFields(status, message));
  }

  /**
   * `runEnded` for a run that ended without its worker (cancelled or cleared while queued, failed
   * by the reconcile sweep or an operator), where only the job id is known. A no-op when that job
   * is no longer its entry's run.
   */
  async runEndedByJob(jobId: string, status: EndedRunStatus, message: string): Promise<boolean> {
    const result = await this.entryModel
      .updateOne({ active_job_id: jobId }, { $set: { ...endedRunFields(status, message), updated_at: new Date() } })
      .exec();
    return result.matchedCount === 1;
  }

  async setCompetitorStatus(competitorId: string, status: CompetitorProcessingStatus): Promise<void> {
    await this.competitorModel.updateOne({ _id: competitorId }, { $set: { processing_status: status } }).exec();
  }

  /** Stores a run's result; false when that run's result is already stored (a re-run attempt). */
  async insertResult(result: ViralResult): Promise<boolean> {
    return insertUnlessDuplicate(this.resultModel, result);
  }

  /** The latest run's whole result. */
  async latestResult(queueId: string): Promise<ViralResult | null> {
    return this.resultModel.findOne({ queue_id: queueId }).sort({ run_number: -1 }).lean<ViralResult>().exec();
  }

  /** Every run's summary, newest first (without the per-profile reels, which are large). */
  async runHistory(queueId: string): Promise<Array<Omit<ViralResult, 'profiles' | 'top_reels_by_competitor' | 'top_reels'>>> {
    return this.resultModel
      .find({ queue_id: queueId })
      .select({ profiles: 0, top_reels_by_competitor: 0, top_reels: 0 })
      .sort({ run_number: -1 })
      .lean<ViralResult[]>()
      .exec();
  }

  private async runWrite(id: string, jobId: string, fields: Partial<ViralEntry>): Promise<boolean> {
    const result = await this.entryModel
      .updateOne({ _id: id, active_job_id: jobId }, { $set: { ...fields, updated_at: new Date() } })
      .exec();
    return result.matchedCount === 1;
  }
}

function endedRunFields(status: EndedRunStatus, message: string): Partial<ViralEntry> {
  return {
    status,
    current_step: status === ViralEntryStatus.Failed ? 'Analysis failed' : 'Analysis cancelled',
    error_message: message,
  };
}
