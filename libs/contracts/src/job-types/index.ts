import { JobTypeDefinition } from '../job-type-definition';
import { httpRequestJob } from './http-request.job';
import { sendNotificationJob } from './send-notification.job';

export * from './http-request.job';
export * from './http-request.result';
export * from './send-notification.job';
export * from './send-notification.result';

/** The platform's own job types; the catalog (libs/products) adds the products'. */
export const PLATFORM_JOB_TYPES = [httpRequestJob, sendNotificationJob] as const satisfies readonly JobTypeDefinition<any>[];

/** Names of the platform's job types, derived from the list above. */
export type PlatformJobType = (typeof PLATFORM_JOB_TYPES)[number]['type'];
