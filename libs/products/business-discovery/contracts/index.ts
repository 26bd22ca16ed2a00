import { ProductContracts } from '@conveyor/contracts';
import { BUSINESS_DISCOVERY_QUEUE_POLICIES } from './business-discovery.queues';
import { discoverCompetitorsJob, discoverWithInstagramJob, validateBusinessJob } from './discovery.jobs';
import { analyzeReelsJob, detectInstagramProfilesJob, validateInstagramProfileJob } from './instagram.jobs';
import { downloadVideoJob, scrapeInstagramVideosJob, uploadToStorageJob } from './scraping.jobs';
import { analyzeVideoContentJob, extractMetadataJob, generateInsightsJob } from './video.jobs';
import { exportPdfReportJob, generateCompetitorReportJob, generateTrendAnalysisJob } from './report.jobs';

export * from './business-discovery.queues';
export * from './business-discovery.results';
export * from './business-discovery.settings';
export * from './discovery.jobs';
export * from './instagram.jobs';
export * from './payload-rules';
export * from './report.jobs';
export * from './scraping.jobs';
export * from './video.jobs';

/**
 * The business-discovery product's part of the job catalog (seed 004): its four queues (its video
 * jobs run on the video-analysis product's queue) and fifteen job types, in the seed's order.
 */
export const businessDiscoveryContracts = {
  name: 'business-discovery',
  jobTypes: [
    discoverCompetitorsJob,
    discoverWithInstagramJob,
    validateBusinessJob,
    detectInstagramProfilesJob,
    analyzeReelsJob,
    validateInstagramProfileJob,
    scrapeInstagramVideosJob,
    downloadVideoJob,
    uploadToStorageJob,
    analyzeVideoContentJob,
    extractMetadataJob,
    generateInsightsJob,
    generateCompetitorReportJob,
    generateTrendAnalysisJob,
    exportPdfReportJob,
  ],
  queues: BUSINESS_DISCOVERY_QUEUE_POLICIES,
} as const satisfies ProductContracts;
