import { createHash, randomBytes } from 'node:crypto';
import { DataFingerprint } from './data-fingerprint';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const request = '{"callbackSecret":"s3cret","data":{"n":1},"type":"http.request"}';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('DataFingerprint', () => {
  it('is keyed: the same text fingerprints alike under one key, and is no plain SHA-256 of it', () => {
    const fingerprints = new DataFingerprint([k1]);
    const fingerprint = fingerprints.of(request);
    expect(fingerprint).toMatch(/^h1:k1:[A-Za-z0-9_-]{43}$/);
    expect(fingerprints.of(request)).toBe(fingerprint);
    expect(fingerprint).not.toContain(sha256(request));
    expect(new DataFingerprint([{ id: 'k1', key: randomBytes(32) }]).of(request)).not.toBe(fingerprint);
  });

  it('matches the same text only', () => {
    const fingerprints = new DataFingerprint([k1]);
    expect(fingerprints.matches(fingerprints.of(request), request)).toBe(true);
    expect(fingerprints.matches(fingerprints.of(request), request.replace('1', '2'))).toBe(false);
    expect(fingerprints.matches('h1:k1:junk', request)).toBe(false);
  });

  it('still matches a fingerprint made before a rotation, and an unkeyed one', () => {
    const before = new DataFingerprint([k1]).of(request);
    const rotated = new DataFingerprint([k2, k1]);
    expect(rotated.of(request)).toMatch(/^h1:k2:/);
    expect(rotated.matches(before, request)).toBe(true);
    expect(rotated.matches(sha256(request), request)).toBe(true);
    expect(new DataFingerprint([k2]).matches(before, request)).toBe(false);
  });

  it('without keys is a plain SHA-256 (allowed outside production only)', () => {
    const none = new DataFingerprint([]);
    expect(none.of(request)).toBe(sha256(request));
    expect(none.matches(none.of(request), request)).toBe(true);
  });
});
