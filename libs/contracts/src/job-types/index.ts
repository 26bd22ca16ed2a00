import { JobTypeDefinition } from '../job-type-definition';
import { httpRequestJob } from './http-request.job';
import { viralIdeasAnalysisJob } from './viral-ideas-analysis.job';

export * from './job-type';
export * from './http-request.job';
export * from './viral-ideas-analysis.job';

/** Adding a job type: a contract file here, a handler in apps/worker/src/handlers, one line each. */
export const BUILT_IN_JOB_TYPES: readonly JobTypeDefinition<any>[] = [httpRequestJob, viralIdeasAnalysisJob];
