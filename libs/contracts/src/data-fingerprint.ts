import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { DataKey } from './data-cipher';

const VERSION = 'h1';

/**
 * A keyed hash of job data, for comparing two requests without keeping either (Idempotency-Key):
 * HMAC-SHA256 under a key derived from the active data key, named by its id so a fingerprint made
 * before a rotation still compares. A plain SHA-256 of guessable data could be checked against
 * guesses by anyone who reads Redis. With no keys (outside production only), a plain SHA-256.
 */
export class DataFingerprint {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(private readonly keys: readonly DataKey[]) {
    // Its own key per data key: one key should not serve both AES-GCM and HMAC.
    this.byId = new Map(keys.map(({ id, key }) => [id, Buffer.from(hkdfSync('sha256', key, '', 'conveyor fingerprint v1', 32))]));
  }

  of(text: string): string {
    if (this.keys.length === 0) return sha256(text);
    const id = this.keys[0].id;
    return `${VERSION}:${id}:${this.mac(this.byId.get(id)!, text)}`;
  }

  /** Whether `fingerprint` (made now, before a rotation, or unkeyed) is the fingerprint of `text`. */
  matches(fingerprint: string, text: string): boolean {
    const parts = fingerprint.split(':');
    if (parts.length === 1) return safeEqual(fingerprint, sha256(text));
    const [version, id, mac] = parts;
    const key = this.byId.get(id);
    return version === VERSION && key !== undefined && safeEqual(mac ?? '', this.mac(key, text));
  }

  private mac(key: Buffer, text: string): string {
    return createHmac('sha256', key).update(text, 'utf8').digest('base64url');
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
