import { createHash } from 'node:crypto';

/**
 * A UUID (RFC 9562 version 8) derived from `text`: the same text gives the same id, so an id
 * derived from what a thing is (a webhook's event, a schedule's run) lets a store or Bull refuse
 * the same thing twice.
 */
export function derivedUuid(text: string): string {
  const bytes = createHash('sha256').update(text).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8 (custom)
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
