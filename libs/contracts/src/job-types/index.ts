import { JobTypeDefinition } from '../job-type-definition';
import { httpRequestJob } from './http-request.job';

export * from './job-type';
export * from './http-request.job';

/** The platform's own job types; the catalog (libs/products) adds the products'. */
export const PLATFORM_JOB_TYPES: readonly JobTypeDefinition<any>[] = [httpRequestJob];
