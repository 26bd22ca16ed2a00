import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { defineJobType } from '@conveyor/contracts';
import { VIRAL_ANALYSIS_QUEUE } from './viral-analysis.queue';
import { ViralIdeasAnalysisJobResult } from './viral-ideas-analysis.results';

/** The job type of one analysis run. */
export const VIRAL_IDEAS_ANALYSIS = 'viral-ideas.analysis';

/** Payload of one analysis run: which viral-ideas queue entry to analyse. */
export class ViralIdeasAnalysisPayload {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  queueId!: string;
}

/**
 * The run's steps in order, with the entry's `progress_percentage` once each step begins and the
 * `current_step` text the entry shows meanwhile (seed 001: 10 → 20 → 50 → 75 → 100).
 */
export enum ViralAnalysisStep {
  DecideRun = 'decide-run',
  FetchProfiles = 'fetch-profiles',
  FetchTranscripts = 'fetch-transcripts',
  Analyse = 'analyse',
  StoreResults = 'store-results',
}

export const VIRAL_ANALYSIS_STEPS: ReadonlyArray<{ name: ViralAnalysisStep; entryProgress: number; label: string }> = [
  { name: ViralAnalysisStep.DecideRun, entryProgress: 10, label: 'Preparing the analysis run' },
  { name: ViralAnalysisStep.FetchProfiles, entryProgress: 20, label: 'Fetching profile and competitor content' },
  { name: ViralAnalysisStep.FetchTranscripts, entryProgress: 50, label: 'Fetching transcripts of top reels' },
  { name: ViralAnalysisStep.Analyse, entryProgress: 75, label: 'Analysing content and generating ideas' },
  { name: ViralAnalysisStep.StoreResults, entryProgress: 100, label: 'Storing results' },
];

export const viralIdeasAnalysisJob = defineJobType({
  type: VIRAL_IDEAS_ANALYSIS,
  queue: VIRAL_ANALYSIS_QUEUE,
  description: 'One viral-ideas analysis run of a queue entry: fetch profiles, transcripts, analyse, store results.',
  payload: ViralIdeasAnalysisPayload,
  result: ViralIdeasAnalysisJobResult,
  // Entries belong to sessions as often as to users; the run calls only configured services.
  anonymousSessions: true,
  // Runs are started through the product's own routes, which guard the entry's state.
  startedBy: 'POST /api/viral-ideas/queue/{queue_id}/start',
  // Each step weighs the entry progress it adds, so the job's own progress matches the entry's:
  // 0 → 10 → 20 → 50 → 75 → 100.
  steps: VIRAL_ANALYSIS_STEPS.map(({ name, entryProgress }, i) => ({
    name,
    weight: entryProgress - (i > 0 ? VIRAL_ANALYSIS_STEPS[i - 1].entryProgress : 0),
  })),
});
