import { ProductContracts } from '@conveyor/contracts';
import { viralIdeasAnalysisJob } from './viral-ideas-analysis.job';
import { viralAnalysisQueuePolicy } from './viral-analysis.queue';

export * from './viral-analysis.queue';
export * from './viral-ideas';
export * from './viral-ideas-analysis.job';
export * from './viral-ideas-analysis.results';
export * from './viral-ideas.settings';

/** The viral-ideas product's part of the job catalog. */
export const viralIdeasContracts = {
  name: 'viral-ideas',
  jobTypes: [viralIdeasAnalysisJob],
  queues: [viralAnalysisQueuePolicy],
} as const satisfies ProductContracts;
