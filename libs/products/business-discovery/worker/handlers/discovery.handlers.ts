import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { checkOutboundUrl } from '@conveyor/contracts';
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
import { BusinessValidation, DiscoveriesRepository, Place, ReportsRepository } from '../../data';
import { checkBusiness } from '../business-check';
import { keyedPlaces } from '../business-keys';
import { ownerKeyOf } from '../job-owner';
import { PlacesService } from '../places-service';

/** Search radius when the request gives none, km. */
export const DEFAULT_RADIUS_KM = 10;

/** Places found, within the product's cap, each website kept only if the outbound policy allows it. */
async function findPlaces(
  places: PlacesService,
  config: AppConfig,
  settings: BusinessDiscoverySettings,
  search: { businessName: string; businessType?: string; location?: string; radius?: number },
  signal: AbortSignal,
): Promise<Place[]> {
  const found = await places.search(
    { q: search.businessType ?? search.businessName, location: search.location, radiusKm: search.radius ?? DEFAULT_RADIUS_KM },
    signal,
  );
  return found
    .slice(0, settings.maxBusinesses)
    .map((place) => (place.website && !checkOutboundUrl(place.website, config.outbound).allowed ? { ...place, website: null } : place));
}

/** Seed 004's whole chain: businesses near a place, then a detection per business; the rest follows as a flow. */
@JobHandler()
@Injectable()
export class DiscoverWithInstagramHandler implements JobHandlerContract<DiscoverWithInstagramPayload> {
  readonly definition = discoverWithInstagramJob;

  constructor(
    private readonly places: PlacesService,
    private readonly discoveries: DiscoveriesRepository,
    private readonly reports: ReportsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BUSINESS_DISCOVERY_SETTINGS) private readonly settings: BusinessDiscoverySettings,
  ) {}

  async run(ctx: JobContext<DiscoverWithInstagramPayload>) {
    const owner = ownerKeyOf(ctx);
    const { payload } = ctx;
    const discovery = await ctx.step(DiscoveryStep.FindBusinesses, async (signal) => {
      // A redelivered run keeps what its first attempt found: the same businesses, the same children.
      const opened =
        (await this.discoveries.discovery(owner, ctx.jobId)) ??
        (await this.discoveries.open({
          _id: ctx.jobId,
          owner_key: owner,
          business_name: payload.businessName,
          location: payload.location,
          business_type: payload.businessType ?? null,
          radius_km: payload.radius ?? DEFAULT_RADIUS_KM,
          places: await findPlaces(this.places, this.config, this.settings, payload, signal),
          created_at: new Date(),
        }));
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

  constructor(
    private readonly places: PlacesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BUSINESS_DISCOVERY_SETTINGS) private readonly settings: BusinessDiscoverySettings,
  ) {}

  async run(ctx: JobContext<DiscoverCompetitorsPayload>) {
    const { payload } = ctx;
    const found = await ctx.step(DiscoveryStep.FindBusinesses, (signal) =>
      findPlaces(this.places, this.config, this.settings, payload, signal),
    );
    const businesses = keyedPlaces(found);
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
