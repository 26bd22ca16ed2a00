import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { DownstreamClient, DownstreamError, PermanentJobError, isJsonObject } from '@conveyor/job-runtime';
import { isURL } from 'class-validator';
import { HTTP_URL } from '../contracts';
import type { Place } from '../data';

export interface PlacesQuery {
  q: string;
  location?: string;
  radiusKm: number;
}

/**
 * The places service (README, "Business discovery"): `GET {PLACES_SERVICE_URL}/places?q=&location=&radius_km=`
 * → `{ places: [{ name, address?, website?, phone?, category?, rating? }] }`. A place without a
 * name is dropped; a body of another shape is a failed call.
 */
@Injectable()
export class PlacesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly client: DownstreamClient,
  ) {}

  async search(query: PlacesQuery, signal: AbortSignal): Promise<Place[]> {
    const base = this.config.services.placesUrl;
    // Nothing can be discovered without it, and no retry changes that.
    if (!base) throw new PermanentJobError('No places service is configured (PLACES_SERVICE_URL): businesses cannot be discovered');
    const params = new URLSearchParams({ q: query.q, radius_km: String(query.radiusKm) });
    if (query.location) params.set('location', query.location);
    const body = await this.client.getJson(`${base.replace(/\/+$/, '')}/places?${params}`, signal);
    if (!isJsonObject(body) || !Array.isArray(body.places))
      throw new DownstreamError('Places service: no places array in its answer', null);
    return body.places.map(toPlace).filter((p): p is Place => p !== null);
  }
}

const text = (value: unknown, max: number) => (typeof value === 'string' && value.trim().length > 0 ? value.trim().slice(0, max) : null);

function toPlace(raw: unknown): Place | null {
  if (!isJsonObject(raw)) return null;
  const name = text(raw.name, 200);
  if (!name) return null;
  const website = text(raw.website, 2048);
  return {
    name,
    address: text(raw.address, 500),
    // Only a URL the child jobs' payloads accept: one odd website must not fail the whole fan-out.
    website: website && isURL(website, HTTP_URL) ? website : null,
    phone: text(raw.phone, 50),
    category: text(raw.category, 100),
    rating: typeof raw.rating === 'number' && Number.isFinite(raw.rating) ? raw.rating : null,
  };
}
