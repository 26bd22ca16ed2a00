import { randomBytes } from 'node:crypto';
import { DataCipher, DataDecryptionError, isSealed } from './data-cipher';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const payload = { url: 'https://example.com/secret-marker', headers: { authorization: 'Bearer abc' }, n: 3, ok: true };

describe('DataCipher', () => {
  const cipher = new DataCipher([k1]);

  it('round-trips any JSON value, and the ciphertext shows none of it', () => {
    for (const value of [payload, 'a callback secret', 42, false, [1, 'two'], { nested: { deep: [null] } }]) {
      const sealed = cipher.seal(value, 'job-1');
      expect(isSealed(sealed)).toBe(true);
      expect(sealed).toMatch(/^enc:v1:k1:/);
      expect(JSON.stringify(sealed)).not.toContain('secret');
      expect(cipher.open(sealed, 'job-1')).toEqual(value);
    }
  });

  it('seals the same value differently every time (a fresh IV each)', () => {
    expect(cipher.seal(payload, 'job-1')).not.toBe(cipher.seal(payload, 'job-1'));
  });

  it('opens a ciphertext made independently (Python cryptography AESGCM, key 00..1f, IV 00..0b)', () => {
    const known = new DataCipher([{ id: 'k1', key: Buffer.from(Array.from({ length: 32 }, (_, i) => i)) }]);
    expect(known.open('enc:v1:k1:AAECAwQFBgcICQoL:HmrtbMS1xMfgFCoankzGQg:PCC7ereOp2mve7Xg34YPA6Gr', 'job-1')).toEqual({
      marker: 'known',
    });
  });

  it('seals an incoming value even when it looks sealed (sealNew), and opens it back as given', () => {
    const lookalike = cipher.seal('secret', 'job-1') as string;
    const sealed = cipher.sealNew(lookalike, 'job-2');
    expect(sealed).not.toBe(lookalike);
    expect(cipher.open(sealed, 'job-2')).toBe(lookalike);
  });

  it('leaves null, undefined and already sealed values as they are', () => {
    const sealed = cipher.seal(payload, 'job-1');
    expect(cipher.seal(sealed, 'job-1')).toBe(sealed);
    expect(cipher.seal(null, 'job-1')).toBeNull();
    expect(cipher.seal(undefined, 'job-1')).toBeUndefined();
  });

  it('passes plaintext through on open (records written before encryption)', () => {
    for (const value of [payload, 'plain secret', 7, null, undefined, 'enc:v1:not-really']) {
      expect(cipher.open(value, 'job-1')).toEqual(value);
    }
  });

  it('refuses to open for another job (the job id is authenticated data)', () => {
    const sealed = cipher.seal(payload, 'job-1');
    expect(() => cipher.open(sealed, 'job-2')).toThrow(DataDecryptionError);
  });

  it('refuses a tampered tag, ciphertext or key id', () => {
    const sealed = cipher.seal(payload, 'job-1') as string;
    const [version, v, kid, iv, tag, data] = sealed.split(':');
    const flip = (part: string) => (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
    expect(() => cipher.open([version, v, kid, iv, flip(tag), data].join(':'), 'job-1')).toThrow(DataDecryptionError);
    expect(() => cipher.open([version, v, kid, iv, tag, flip(data)].join(':'), 'job-1')).toThrow(DataDecryptionError);
    const other = new DataCipher([k1, { id: 'k9', key: k1.key }]);
    expect(() => other.open([version, v, 'k9', iv, tag, data].join(':'), 'job-1')).toThrow(DataDecryptionError);
  });

  it('refuses a key id it does not hold, naming the id and never a key', () => {
    const sealed = new DataCipher([k2]).seal(payload, 'job-1');
    expect(() => cipher.open(sealed, 'job-1')).toThrow(/key "k2", which DATA_ENCRYPTION_KEYS does not hold/);
    expect(() => new DataCipher([]).open(sealed, 'job-1')).toThrow(DataDecryptionError);
  });

  it('rotates: the first key seals, an older key still opens what it sealed', () => {
    const old = new DataCipher([k1]).seal(payload, 'job-1');
    const rotated = new DataCipher([k2, k1]);
    expect(rotated.open(old, 'job-1')).toEqual(payload);
    const fresh = rotated.seal(payload, 'job-1');
    expect(fresh).toMatch(/^enc:v1:k2:/);
    expect(() => cipher.open(fresh, 'job-1')).toThrow(DataDecryptionError);
  });

  it('without keys stores plaintext', () => {
    const none = new DataCipher([]);
    expect(none.encrypting).toBe(false);
    expect(none.seal(payload, 'job-1')).toBe(payload);
  });

  it('refuses keys of the wrong size or with ids that cannot be written in a ciphertext', () => {
    expect(() => new DataCipher([{ id: 'k1', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => new DataCipher([{ id: 'k:1', key: randomBytes(32) }])).toThrow(/must match/);
  });
});
