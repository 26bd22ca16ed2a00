import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { checkOutboundUrl } from '@conveyor/contracts';
import { BUSINESS_DISCOVERY_SETTINGS, BusinessDiscoverySettings } from '../contracts';
import { DiscoveriesRepository, Discovery } from '../data';
import { PlacesService } from './places-service';

/** Search radius when the request gives none, km. */
export const DEFAULT_RADIUS_KM = 10;

export interface BusinessSearch {
  businessName: string;
  businessType?: string;
  location?: string;
  radius?: number;
}

/**
 * A job's search for businesses near a place, kept under the job's id: a redelivered or retried
 * run gets the places its first attempt found, so it fans out to the same businesses (a step fans
 * out once, to the same keys) even if the places service now answers otherwise.
 */
@Injectable()
export class PlacesSearch {
  constructor(
    private readonly places: PlacesService,
    private readonly discoveries: DiscoveriesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BUSINESS_DISCOVERY_SETTINGS) private readonly settings: BusinessDiscoverySettings,
  ) {}

  async kept(jobId: string, owner: string, search: BusinessSearch, signal: AbortSignal): Promise<Discovery> {
    return (
      (await this.discoveries.discovery(owner, jobId)) ??
      this.discoveries.open({
        _id: jobId,
        owner_key: owner,
        business_name: search.businessName,
        location: search.location ?? null,
        business_type: search.businessType ?? null,
        radius_km: search.radius ?? DEFAULT_RADIUS_KM,
        places: await this.find(search, signal),
        created_at: new Date(),
      })
    );
  }

  /** Places found, within the product's cap, each website kept only if the outbound policy allows it. */
  private async find(search: BusinessSearch, signal: AbortSignal) {
    const found = await this.places.search(
      { q: search.businessType ?? search.businessName, location: search.location, radiusKm: search.radius ?? DEFAULT_RADIUS_KM },
      signal,
    );
    return found
      .slice(0, this.settings.maxBusinesses)
      .map((place) =>
        place.website && !checkOutboundUrl(place.website, this.config.outbound).allowed ? { ...place, website: null } : place,
      );
  }
}
