import { ProductContracts } from '@conveyor/contracts';
import { videoAnalysisJob } from './video-analysis.job';
import { videoAnalysisQueuePolicy } from './video-analysis.queue';

export * from './completion-estimate';
export * from './guide-priority';
export * from './video-analysis.job';
export * from './video-analysis.queue';
export * from './video-analysis.results';
export * from './video-analysis.settings';

/** The video-analysis product's part of the job catalog (seed 002). */
export const videoAnalysisContracts = {
  name: 'video-analysis',
  jobTypes: [videoAnalysisJob],
  queues: [videoAnalysisQueuePolicy],
} as const satisfies ProductContracts;
