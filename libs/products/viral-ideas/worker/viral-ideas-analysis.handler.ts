import { Injectable, Logger } from '@nestjs/common';
import { errorField } from '@conveyor/contracts';

import { randomUUID } from 'node:crypto';
import { JobContext, JobHandler, JobHandlerContract, PermanentJobError } from '@conveyor/job-runtime';
import { hookPatterns, mergeReels, openingLine, scoreReels, topReels } from './viral-analytics';
import { ViralServices } from './viral-services';
import {
  CompetitorProcessingStatus,
  VIRAL_ANALYSIS_STEPS,
  ViralAnalysisStep,
  ViralIdeasAnalysisPayload,
  ViralRunKind,
  viralIdeasAnalysisJob,
} from '../contracts';
import { ProfileStatistics, StoredReel, ViralCompetitor, ViralEntry, ViralIdeasRepository, ViralResult } from '../data';

/** Profiles fetched at once, and transcripts. */
const FETCH_CONCURRENCY = 4;
/** Reels whose transcripts are fetched (the top ones overall). */
const TRANSCRIBED_REELS = 10;
const TOP_REELS = 10;
const TOP_REELS_PER_COMPETITOR = 3;
const NO_IDEAS_NOTE = 'No idea-generation service is configured (ANALYSIS_SERVICE_URL); no ideas were generated.';

export interface ViralRunSummary {
  queueId: string;
  runNumber: number;
  runType: ViralRunKind;
  profilesAnalysed: number;
  competitorsFailed: number;
  ideas: number;
  ideasNote: string | null;
}

interface RunPlan {
  entry: ViralEntry;
  kind: ViralRunKind;
  runNumber: number;
  previous: ViralResult | null;
  competitors: ViralCompetitor[];
}

/**
 * `viral-ideas.analysis`: one run of a viral-ideas queue entry (seed 001's ViralIdeasProcessor).
 * Every entry write is guarded on the entry still pointing at this job, so a run superseded by a
 * newer one (started again after it was presumed stuck) stops at its next step.
 */
@JobHandler()
@Injectable()
export class ViralIdeasAnalysisHandler implements JobHandlerContract<ViralIdeasAnalysisPayload, ViralRunSummary> {
  readonly definition = viralIdeasAnalysisJob;
  private readonly logger = new Logger(ViralIdeasAnalysisHandler.name);

  constructor(
    private readonly repository: ViralIdeasRepository,
    private readonly services: ViralServices,
  ) {}

  async run(ctx: JobContext<ViralIdeasAnalysisPayload>): Promise<ViralRunSummary> {
    const startedAt = new Date();
    const timings: Record<string, number> = {};
    const step = <T>(name: ViralAnalysisStep, work: (signal: AbortSignal) => Promise<T>) =>
      ctx.step(name, async (signal) => {
        const t0 = performance.now();
        if (name !== ViralAnalysisStep.DecideRun) await this.enterStep(ctx, name);
        try {
          return await work(signal);
        } finally {
          timings[name] = Math.round(performance.now() - t0);
        }
      });

    const plan = await step(ViralAnalysisStep.DecideRun, () => this.decideRun(ctx));
    const profiles = await step(ViralAnalysisStep.FetchProfiles, (signal) => this.fetchProfiles(plan, signal));
    const transcripts = await step(ViralAnalysisStep.FetchTranscripts, (signal) => this.fetchTranscripts(profiles, signal));
    const analysis = await step(ViralAnalysisStep.Analyse, (signal) => this.analyse(plan, profiles, signal));
    return step(ViralAnalysisStep.StoreResults, async () => {
      const completedAt = new Date();
      await this.repository.insertResult({
        _id: randomUUID(),
        queue_id: plan.entry._id,
        run_number: plan.runNumber,
        run_type: plan.kind,
        job_id: ctx.jobId,
        profiles,
        ...analysis,
        transcripts,
        timings,
        started_at: startedAt,
        completed_at: completedAt,
      });
      const { auto_rerun_enabled, rerun_frequency_hours } = plan.entry;
      const nextScheduledRun = auto_rerun_enabled ? new Date(completedAt.getTime() + rerun_frequency_hours * 3_600_000) : null;
      const recorded = await this.repository.runCompleted(plan.entry._id, ctx.jobId, {
        completedAt,
        totalRuns: plan.runNumber,
        nextScheduledRun,
      });
      if (!recorded) throw superseded(plan.entry._id);
      return {
        queueId: plan.entry._id,
        runNumber: plan.runNumber,
        runType: plan.kind,
        profilesAnalysed: profiles.filter((p) => p.fetch_status === 'ok').length,
        competitorsFailed: profiles.filter((p) => p.fetch_status === 'failed').length,
        ideas: analysis.ideas.length,
        ideasNote: analysis.ideas_note,
      };
    });
  }

  /** Step 1: take the entry (`processing`), and decide initial or recurring from its history. */
  private async decideRun(ctx: JobContext<ViralIdeasAnalysisPayload>): Promise<RunPlan> {
    const { queueId } = ctx.payload;
    const { label, entryProgress } = stepInfo(ViralAnalysisStep.DecideRun);
    if (!(await this.repository.runStarted(queueId, ctx.jobId, label, entryProgress, new Date()))) {
      throw (await this.repository.find(queueId))
        ? superseded(queueId)
        : new PermanentJobError(`Viral-ideas entry ${queueId} no longer exists`);
    }
    if (!this.services.profilesConfigured) {
      throw new PermanentJobError('No profile-data service is configured (PROFILE_SERVICE_URL); the analysis cannot fetch profiles');
    }
    const entry = (await this.repository.find(queueId))!;
    const previous = entry.total_runs > 0 ? await this.repository.latestResult(queueId) : null;
    return {
      entry,
      previous,
      kind: previous ? 'recurring' : 'initial',
      runNumber: entry.total_runs + 1,
      competitors: await this.repository.competitorsOf(queueId, true),
    };
  }

  /**
   * Step 2: the primary profile and every active competitor, a few at a time. On a recurring run
   * only content newer than the stored reels is asked for, then merged with them. A competitor
   * that cannot be fetched is marked failed and the run goes on; the primary profile cannot fail.
   */
  private async fetchProfiles(plan: RunPlan, signal: AbortSignal): Promise<ProfileStatistics[]> {
    const targets = [
      { username: plan.entry.primary_username, role: 'primary' as const, competitor: null },
      ...plan.competitors.map((c) => ({ username: c.competitor_username, role: 'competitor' as const, competitor: c })),
    ];
    const profiles = await mapBounded(targets, FETCH_CONCURRENCY, async ({ username, role, competitor }) => {
      const before = plan.previous?.profiles.find((p) => p.username === username);
      if (competitor) await this.repository.setCompetitorStatus(competitor._id, CompetitorProcessingStatus.Processing);
      try {
        const fetched = await this.services.profile(
          username,
          plan.kind === 'recurring' ? (before?.latest_posted_at ?? null) : null,
          signal,
        );
        if (competitor) await this.repository.setCompetitorStatus(competitor._id, CompetitorProcessingStatus.Completed);
        return profileStatistics(username, role, mergeReels(username, before?.reels ?? [], fetched.reels), {
          followers: fetched.followers ?? before?.followers ?? null,
          newReels: fetched.reels.length,
        });
      } catch (error) {
        signal.throwIfAborted();
        if (role === 'primary') throw error;
        await this.repository.setCompetitorStatus(competitor!._id, CompetitorProcessingStatus.Failed);
        this.logger.warn(errorField(error), `Viral-ideas ${plan.entry._id}: competitor @${username} not fetched`);
        return {
          ...profileStatistics(username, role, before?.reels ?? [], { followers: before?.followers ?? null, newReels: 0 }),
          fetch_status: 'failed' as const,
          error: (error as Error).message,
        };
      }
    });
    return profiles;
  }

  /** Step 3: transcripts of the top reels not transcribed before; a failed one is counted, not fatal. */
  private async fetchTranscripts(profiles: ProfileStatistics[], signal: AbortSignal): Promise<ViralResult['transcripts']> {
    if (!this.services.transcriptsConfigured) {
      return { requested: 0, fetched: 0, failed: 0, note: 'No transcript service is configured (TRANSCRIPT_SERVICE_URL).' };
    }
    const wanted = topReels(
      profiles.flatMap((p) => p.reels),
      TRANSCRIBED_REELS,
    ).filter((r) => r.transcript_opening === null);
    let fetched = 0;
    let failed = 0;
    await mapBounded(wanted, FETCH_CONCURRENCY, async (reel) => {
      try {
        reel.transcript_opening = openingLine(await this.services.transcript(reel.id, signal));
        fetched++;
      } catch {
        signal.throwIfAborted();
        failed++;
      }
    });
    return { requested: wanted.length, fetched, failed, note: null };
  }

  /** Step 4: rank reels, find hook patterns, and ask the idea service (if any) for ideas. */
  private async analyse(plan: RunPlan, profiles: ProfileStatistics[], signal: AbortSignal) {
    const allReels = profiles.flatMap((p) => p.reels);
    const top_reels = topReels(allReels, TOP_REELS);
    const top_reels_by_competitor = Object.fromEntries(
      profiles.filter((p) => p.role === 'competitor').map((p) => [p.username, topReels(p.reels, TOP_REELS_PER_COMPETITOR)]),
    );
    const hook_patterns = hookPatterns(allReels);
    if (!this.services.ideasConfigured) return { top_reels, top_reels_by_competitor, hook_patterns, ideas: [], ideas_note: NO_IDEAS_NOTE };
    const ideas = await this.services.ideas(
      {
        primary_username: plan.entry.primary_username,
        content_strategy: plan.entry.content_strategy,
        analysis_settings: plan.entry.analysis_settings,
        profiles: profiles.map(({ username, role, baseline_views, average_engagement_rate, followers }) => ({
          username,
          role,
          followers,
          baseline_views,
          average_engagement_rate,
        })),
        top_reels: top_reels.map(({ id, username, caption, views, outlier_score, engagement_rate, transcript_opening }) => ({
          id,
          username,
          caption,
          views,
          outlier_score,
          engagement_rate,
          transcript_opening,
        })),
        hook_patterns,
      },
      signal,
    );
    return {
      top_reels,
      top_reels_by_competitor,
      hook_patterns,
      ideas,
      ideas_note: ideas.length === 0 ? 'The idea service returned no ideas.' : null,
    };
  }

  /** Records the step on the entry; a run that no longer owns its entry stops here. */
  private async enterStep(ctx: JobContext<ViralIdeasAnalysisPayload>, name: ViralAnalysisStep): Promise<void> {
    const { label, entryProgress } = stepInfo(name);
    if (!(await this.repository.runProgress(ctx.payload.queueId, ctx.jobId, label, entryProgress))) throw superseded(ctx.payload.queueId);
  }
}

function stepInfo(name: ViralAnalysisStep) {
  return VIRAL_ANALYSIS_STEPS.find((s) => s.name === name)!;
}

function superseded(queueId: string): PermanentJobError {
  return new PermanentJobError(`Superseded: viral-ideas entry ${queueId} was started again by a newer run`);
}

function profileStatistics(
  username: string,
  role: ProfileStatistics['role'],
  reels: ReadonlyArray<Omit<StoredReel, 'outlier_score' | 'engagement_rate'>>,
  extra: { followers: number | null; newReels: number },
): ProfileStatistics {
  const scored = scoreReels(reels);
  return {
    username,
    role,
    fetch_status: 'ok',
    error: null,
    followers: extra.followers,
    new_reels: extra.newReels,
    reels_analysed: scored.reels.length,
    baseline_views: scored.baseline,
    average_engagement_rate: scored.averageEngagementRate,
    latest_posted_at: scored.reels.reduce<string | null>(
      (latest, r) => (latest === null || r.posted_at > latest ? r.posted_at : latest),
      null,
    ),
    reels: scored.reels satisfies StoredReel[],
  };
}

/** Runs `work` over `items`, at most `limit` at a time, results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}
