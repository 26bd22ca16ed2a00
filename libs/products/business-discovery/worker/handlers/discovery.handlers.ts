import { Inject, Injectable } from '@nestjs/common';
import { JobContext, JobHandler, JobHandlerContract, OutboundHttp } from '@conveyor/job-runtime';
import {
  BUSINESS_DISCOVERY_SETTINGS,
  BusinessDiscoverySettings,
  DETECT_INSTAGRAM_PROFILES,
  DiscoverCompetitorsPayload,
  DiscoverWithInstagramPayload,
  DiscoveryStep,
  SCRAPE_INSTAGRAM_VIDEOS,
  VALIDATE_BUSINESS,
  ValidateBusinessPayload,
  discoverCompetitorsJob,
  discoverWithInstagramJob,
  validateBusinessJob,
} from '../../contracts';
import { BusinessValidation, DiscoveriesRepository, ReportsRepository } from '../../data';
import { checkBusiness } from '../business-check';
import { keyedPlaces } from '../business-keys';
import { ownerKeyOf } from '../job-owner';
import { PlacesSearch } from '../places-search';

/** Seed 004's whole chain: businesses near a place, then a detection per business; the rest follows as a flow. */
@JobHandler()
@Injectable()
export class DiscoverWithInstagramHandler implements JobHandlerContract<DiscoverWithInstagramPayload> {
  readonly definition = discoverWithInstagramJob;

  constructor(
    private readonly search: PlacesSearch,
    private readonly discoveries: DiscoveriesRepository,
    private readonly reports: ReportsRepository,
  ) {}

  async run(ctx: JobContext<DiscoverWithInstagramPayload>) {
    const owner = ownerKeyOf(ctx);
    const { payload } = ctx;
    const discovery = await ctx.step(DiscoveryStep.FindBusinesses, async (signal) => {
      // A redelivered run keeps what its first attempt found: the same businesses, the same children.
      const opened = await this.search.kept(ctx.jobId, owner, payload, signal);
      // Insert-only, so repeating them after a crash part-way is safe.
      await this.discoveries.addBusinesses(opened, keyedPlaces(opened.places));
      await this.reports.reserve(opened._id, owner);
      return opened;
    });
    const businesses = keyedPlaces(discovery.places);
    const started = await ctx.step(DiscoveryStep.StartDetection, () =>
      ctx.fanOut({
        children: businesses.map(({ key, place }) => ({
          key,
          type: DETECT_INSTAGRAM_PROFILES,
          data: {
            businessName: place.name,
            ...(place.website ? { website: place.website } : {}),
            ...(place.address ? { address: place.address } : {}),
            discoveryId: discovery._id,
            businessKey: key,
          },
        })),
        continuation: { type: SCRAPE_INSTAGRAM_VIDEOS, data: { discoveryId: discovery._id } },
        onChildFailure: 'continue',
      }),
    );
    return {
      discoveryId: discovery._id,
      reportId: discovery._id,
      report: `/api/v1/reports/${discovery._id}`,
      pdf: `/api/v1/reports/${discovery._id}/pdf`,
      flow: `/api/v1/jobs/${ctx.jobId}/flow`,
      businessesFound: businesses.length,
      businesses: businesses.map(({ key, place }) => ({ key, name: place.name, website: place.website })),
      detections: started.children,
    };
  }
}

/** Seed 004's `discover-competitors`: businesses near a place, each validated by a child job. */
@JobHandler()
@Injectable()
export class DiscoverCompetitorsHandler implements JobHandlerContract<DiscoverCompetitorsPayload> {
  readonly definition = discoverCompetitorsJob;

  constructor(private readonly search: PlacesSearch) {}

  async run(ctx: JobContext<DiscoverCompetitorsPayload>) {
    const { payload } = ctx;
    const found = await ctx.step(DiscoveryStep.FindBusinesses, (signal) => this.search.kept(ctx.jobId, ownerKeyOf(ctx), payload, signal));
    const businesses = keyedPlaces(found.places);
    const started = await ctx.step('Validating businesses', () =>
      ctx.fanOut({
        children: businesses.map(({ key, place }) => ({
          key,
          type: VALIDATE_BUSINESS,
          data: {
            name: place.name,
            ...(place.address ? { address: place.address } : {}),
            ...(place.website ? { website: place.website } : {}),
          },
        })),
      }),
    );
    const validations = new Map(started.children.map((c) => [c.key, c.jobId]));
    return {
      ...(payload.businessId ? { businessId: payload.businessId } : {}),
      businessName: payload.businessName,
      businessesFound: businesses.length,
      businesses: businesses.map(({ key, place }) => ({ key, ...place, validationJobId: validations.get(key) ?? null })),
    };
  }
}

/** Seed 004's `validate-business`. */
@JobHandler()
@Injectable()
export class ValidateBusinessHandler implements JobHandlerContract<ValidateBusinessPayload> {
  readonly definition = validateBusinessJob;

  constructor(
    private readonly http: OutboundHttp,
    @Inject(BUSINESS_DISCOVERY_SETTINGS) private readonly settings: BusinessDiscoverySettings,
  ) {}

  async run(ctx: JobContext<ValidateBusinessPayload>): Promise<BusinessValidation & { name: string; socials: string[] }> {
    const { payload } = ctx;
    const { validation, socials } = await ctx.step('Checking business', (signal) =>
      checkBusiness(this.http, payload, this.settings, signal, (done, total) => ctx.reportStepProgress(done / total)),
    );
    return { name: payload.name, ...validation, socials: socials.map((s) => s.url) };
  }
}
