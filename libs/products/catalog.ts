import { JobTypeRegistry, PLATFORM_JOB_TYPES, PLATFORM_QUEUE_POLICIES, PlatformJobType } from '@conveyor/contracts';
import { AppConfig, loadSettings } from '@conveyor/config';
import { viralIdeasContracts, viralIdeasSettingsSchema } from './viral-ideas/contracts';
import { videoAnalysisContracts, videoAnalysisSettingsSchema } from './video-analysis/contracts';
import { websiteContentContracts, websiteContentSettingsSchema } from './website-content/contracts';
import { businessDiscoveryContracts, businessDiscoverySettingsSchema } from './business-discovery/contracts';

/**
 * The job catalog both apps run: the platform's job types and queues, then one line per product.
 * Each app also adds the product's module (apps/api/src/api.module.ts, apps/worker/src/worker.module.ts).
 */
export const jobCatalog = JobTypeRegistry.compose(
  { name: 'platform', jobTypes: PLATFORM_JOB_TYPES, queues: PLATFORM_QUEUE_POLICIES },
  viralIdeasContracts,
  websiteContentContracts,
  videoAnalysisContracts,
  businessDiscoveryContracts,
);

/** Every job type name the catalog holds, derived from the lists above (no hand-kept enum). */
export type JobTypeName =
  | PlatformJobType
  | (typeof viralIdeasContracts.jobTypes)[number]['type']
  | (typeof websiteContentContracts.jobTypes)[number]['type']
  | (typeof videoAnalysisContracts.jobTypes)[number]['type']
  | (typeof businessDiscoveryContracts.jobTypes)[number]['type'];

/** Each product's settings schema, one line per product. */
const PRODUCT_SETTINGS = [
  viralIdeasSettingsSchema,
  websiteContentSettingsSchema,
  videoAnalysisSettingsSchema,
  businessDiscoverySettingsSchema,
];

/**
 * Both apps check every product's settings at start, before Nest builds anything, so a bad value
 * stops the app with one line naming the variable (as a bad platform setting does).
 */
export function checkProductSettings(config: Pick<AppConfig, 'source'>): void {
  for (const schema of PRODUCT_SETTINGS) loadSettings(schema, config);
}
