import { createHash } from 'node:crypto';
import type { Place } from '../data';

/**
 * A business's key within a discovery (its flow child's key): readable, and the same for the same
 * name and address, so a redelivered discovery fans out to the same children. Places that share
 * one are kept once.
 */
export function keyedPlaces(places: readonly Place[]): Array<{ key: string; place: Place }> {
  const seen = new Set<string>();
  const keyed: Array<{ key: string; place: Place }> = [];
  for (const place of places) {
    const slug =
      place.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || 'business';
    const key = `${slug}-${createHash('sha256')
      .update(`${place.name}\n${place.address ?? ''}`)
      .digest('hex')
      .slice(0, 8)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    keyed.push({ key, place });
  }
  return keyed;
}
