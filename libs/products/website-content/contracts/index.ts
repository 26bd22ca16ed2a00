import { ProductContracts } from '@conveyor/contracts';
import { contentGenerationJob } from './content-generation.job';
import { websiteAnalysisJob } from './website-analysis.job';
import { websiteContentQueuePolicy } from './website-content.queue';

export * from './content-generation.job';
export * from './seed-status-words';
export * from './website-analysis.job';
export * from './website-content.queue';
export * from './website-content.settings';

/** The website-content product's part of the job catalog (seed 003). */
export const websiteContentContracts = {
  name: 'website-content',
  jobTypes: [websiteAnalysisJob, contentGenerationJob],
  queues: [websiteContentQueuePolicy],
} as const satisfies ProductContracts;
export * from './website-content.results';
