import { Injectable } from '@nestjs/common';
import { ConveyorError, ownerKey, validationFailed } from '@conveyor/contracts';
import { QueueAdmin } from '@conveyor/queueing';
import { randomUUID } from 'node:crypto';
import { Caller, WithMessage } from '@conveyor/http';
import { CreateViralEntryRequest } from './dto/create-viral-entry.request';
import {
  AlreadyStartedView,
  StartSignalledView,
  ViralEntryDetailView,
  ViralEntryView,
  ViralQueueStatusView,
  ViralResultsView,
} from './dto/viral-ideas.response';
import { entryView, runSummaryView } from './viral-entry.view';
import { checkQueueId, invalidQueueState, queueEntryNotFound, ViralErrorCode } from './viral-ideas.errors';
import {
  AWAITING_PICKUP_STEP,
  CompetitorSelection,
  DEFAULT_RERUN_FREQUENCY_HOURS,
  DEFAULT_VIRAL_PRIORITY,
  STARTABLE_VIRAL_STATUSES,
  VIRAL_ANALYSIS_QUEUE,
  ViralEntryStatus,
} from '../contracts';
import { ViralEntry, ViralIdeasRepository } from '../data';
import { ViralRunStarter } from '../runs/viral-run-starter';

/**
 * The viral-ideas product for its clients: create an entry, start its analysis, follow it, read
 * its results. Entries belong to their creator (user or session); anyone else gets 404, as for jobs.
 */
@Injectable()
export class ViralIdeasService {
  constructor(
    private readonly repository: ViralIdeasRepository,
    private readonly starter: ViralRunStarter,
    private readonly queueAdmin: QueueAdmin,
  ) {}

  async create(caller: Caller, request: CreateViralEntryRequest): Promise<ViralEntryView> {
    const primary = stripAt(request.primary_username);
    const usernames = (request.competitors ?? []).map((c) => stripAt(c.username));
    const problems = usernames.flatMap((name, i) => {
      if (name.toLowerCase() === primary.toLowerCase())
        return [{ field: `competitors.${i}.username`, message: 'a competitor cannot be the primary profile' }];
      if (usernames.findIndex((n) => n.toLowerCase() === name.toLowerCase()) !== i)
        return [{ field: `competitors.${i}.username`, message: `competitor ${name} is listed twice` }];
      return [];
    });
    if (problems.length > 0) throw validationFailed(problems);
    const now = new Date();
    const entry: ViralEntry = {
      _id: randomUUID(),
      session_id: request.session_id,
      owner_key: ownerKey(caller.owner),
      primary_username: primary,
      content_strategy: request.content_strategy ?? {},
      analysis_settings: request.analysis_settings ?? {},
      status: ViralEntryStatus.Pending,
      priority: request.priority ?? DEFAULT_VIRAL_PRIORITY,
      current_step: null,
      progress_percentage: 0,
      error_message: null,
      auto_rerun_enabled: request.auto_rerun_enabled ?? true,
      rerun_frequency_hours: request.rerun_frequency_hours ?? DEFAULT_RERUN_FREQUENCY_HOURS,
      last_analysis_at: null,
      next_scheduled_run: null,
      total_runs: 0,
      active_job_id: null,
      submitted_at: now,
      started_processing_at: null,
      completed_at: null,
      created_at: now,
      updated_at: now,
    };
    const competitors = (request.competitors ?? []).map((c, i) => ({
      _id: randomUUID(),
      queue_id: entry._id,
      competitor_username: usernames[i],
      selection_method: c.selection_method ?? CompetitorSelection.Suggested,
      is_active: true,
      processing_status: 'pending',
      added_at: now,
      removed_at: null,
    }));
    if (!(await this.repository.create(entry, competitors))) {
      throw new ConveyorError(
        ViralErrorCode.SessionExists,
        `You already have a viral-ideas queue entry for session ${request.session_id}`,
        {
          troubleshooting: 'Use GET /api/viral-ideas/queue/{session_id} to follow the existing entry, or start a new session',
        },
      );
    }
    return entryView(entry, competitors);
  }

  /**
   * Seed 000's start: `processing` → already started; `completed` → 409; a run still waiting for a
   * worker → that run again (no second one); otherwise claim the entry and enqueue one run.
   */
  async start(caller: Caller, rawId: string): Promise<WithMessage<StartSignalledView | AlreadyStartedView>> {
    const entry = await this.owned(caller, checkQueueId(rawId));
    if (entry.status === ViralEntryStatus.Processing) return alreadyStarted(entry);
    if (!STARTABLE_VIRAL_STATUSES.includes(entry.status as ViralEntryStatus)) throw invalidQueueState(entry.status);
    if ((await this.starter.liveness(entry)) !== 'none') return signalled(entry, entry.active_job_id!, false);
    const [outcome] = await this.starter.start([entry]);
    if ('error' in outcome) throw outcome.error;
    if ('started' in outcome) return signalled(entry, outcome.started.jobId, true);
    // Another start won the claim between our read and our write: report what it did.
    if (outcome.jobId) return signalled(entry, outcome.jobId, false);
    const now = (await this.repository.find(entry._id))!;
    if (now.status === ViralEntryStatus.Processing) return alreadyStarted(now);
    if (now.status === ViralEntryStatus.Pending && now.active_job_id) return signalled(entry, now.active_job_id, false);
    throw invalidQueueState(now.status);
  }

  /**
   * The caller's entry for the session. Session ids are unique per owner, so an admin gets their
   * own entry if they have one, else the latest submitted of anyone's (each entry has its own
   * queue_id for the routes that take one).
   */
  async bySession(caller: Caller, sessionId: string): Promise<ViralEntryDetailView> {
    const entry =
      (await this.repository.findBySession(ownerKey(caller.owner), sessionId)) ??
      (caller.admin ? await this.repository.findBySessionAsAdmin(sessionId) : null);
    if (!entry) throw queueEntryNotFound();
    const [competitors, runs] = await Promise.all([this.repository.competitorsOf(entry._id), this.repository.runHistory(entry._id)]);
    return { ...entryView(entry, competitors), runs: runs.map(runSummaryView) };
  }

  async results(caller: Caller, rawId: string): Promise<ViralResultsView> {
    const entry = await this.owned(caller, checkQueueId(rawId));
    const [latest, runs] = await Promise.all([this.repository.latestResult(entry._id), this.repository.runHistory(entry._id)]);
    return { queue_id: entry._id, session_id: entry.session_id, status: entry.status, latest, runs: runs.map(runSummaryView) };
  }

  /**
   * Counts per status (all entries for admins, the caller's own otherwise), also as seed 001's
   * `statistics`, and processing statistics.
   */
  async status(caller: Caller): Promise<ViralQueueStatusView> {
    const owner = caller.admin ? undefined : ownerKey(caller.owner);
    const [counts, recent, queue] = await Promise.all([
      this.repository.countByStatus(owner),
      this.repository.recentlyCompleted(100, owner),
      this.queueAdmin.counts(VIRAL_ANALYSIS_QUEUE).catch(() => null),
    ]);
    const durations = recent
      .filter((e) => e.started_processing_at && e.completed_at)
      .map((e) => new Date(e.completed_at!).getTime() - new Date(e.started_processing_at!).getTime());
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      scope: owner ? 'own' : 'all',
      statistics: {
        pending: counts[ViralEntryStatus.Pending],
        processing: counts[ViralEntryStatus.Processing],
        completed: counts[ViralEntryStatus.Completed],
        failed: counts[ViralEntryStatus.Failed],
        paused: counts[ViralEntryStatus.Paused],
        total,
      },
      counts,
      total,
      processing_statistics: {
        completed_sampled: durations.length,
        average_processing_seconds: durations.length
          ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length / 100) / 10
          : null,
        last_completed_at: recent[0]?.completed_at ? new Date(recent[0].completed_at).toISOString() : null,
        // The analysis queue as a whole (every owner's runs): waiting, active, delayed, failed …
        queue: queue && { waiting: queue.waiting, active: queue.active, delayed: queue.delayed, paused: queue.isPaused },
      },
    };
  }

  private async owned(caller: Caller, queueId: string): Promise<ViralEntry> {
    const entry = await this.repository.find(queueId);
    if (!entry || !mayRead(caller, entry)) throw queueEntryNotFound();
    return entry;
  }
}

function mayRead(caller: Caller, entry: ViralEntry): boolean {
  return caller.admin || entry.owner_key === ownerKey(caller.owner);
}

function stripAt(username: string): string {
  return username.replace(/^@/, '');
}

function alreadyStarted(entry: ViralEntry): WithMessage<AlreadyStartedView> {
  return new WithMessage(
    {
      queue_id: entry._id,
      status: entry.status,
      current_step: entry.current_step ?? 'Processing...',
      progress_percentage: entry.progress_percentage,
      session_id: entry.session_id,
      primary_username: entry.primary_username,
      processing_state: 'already_started',
    },
    'Analysis is already in progress',
  );
}

function signalled(entry: ViralEntry, jobId: string, sent: boolean): WithMessage<StartSignalledView> {
  return new WithMessage(
    {
      queue_processing: {
        queue_id: entry._id,
        status: entry.status,
        signal_sent: sent,
        processing_state: sent ? 'ready_for_pickup' : 'already_queued',
        worker_coordination: 'background_processor_notified',
        job_id: jobId,
      },
      queue_details: {
        session_id: entry.session_id,
        primary_username: entry.primary_username,
        priority: entry.priority,
        submitted_at: new Date(entry.submitted_at).toISOString(),
        current_step: AWAITING_PICKUP_STEP,
        progress_percentage: 0,
      },
      next_steps: {
        worker_processing: 'Background ViralIdeasProcessor will pick up this job',
        status_updates: 'Status will change to "processing" when worker begins',
        monitoring: `Use /api/viral-ideas/queue/${entry.session_id} to monitor progress`,
        expected_duration: '5-15 minutes depending on competitors and content volume',
      },
      timestamp: new Date().toISOString(),
    },
    sent ? 'Analysis queued successfully - processor will start shortly' : 'Analysis is already queued - processor will start shortly',
  );
}
