import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

const key32 = randomBytes(32).toString('base64');
const older = randomBytes(32).toString('base64url');

describe('DATA_ENCRYPTION_KEYS', () => {
  it('reads key ids and keys, the active one first (base64 or base64url)', () => {
    const { keys } = loadConfig({ DATA_ENCRYPTION_KEYS: ` k2:${key32} , k1:${older}` }).encryption;
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0].key).toEqual(Buffer.from(key32, 'base64'));
    expect(keys[1].key).toEqual(Buffer.from(older, 'base64url'));
  });

  it('unset: no keys outside production, and production refuses to start', () => {
    expect(loadConfig({}).encryption.keys).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'test', DATA_ENCRYPTION_KEYS: '' }).encryption.keys).toEqual([]);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      new ConfigError(['DATA_ENCRYPTION_KEYS is required in production (job data is encrypted at rest); see the README']),
    );
  });

  const short = randomBytes(16).toString('base64');
  const notBase64 = `${key32.slice(0, 40)}!!!!`;
  it.each([
    ['a key of 16 bytes', `k1:${short}`, short],
    ['a key that is not base64', `k1:${notBase64}`, notBase64],
    ['a missing key id', key32, key32],
    ['a key id with a space', `k 1:${key32}`, key32],
    ['a repeated key id', `k1:${key32},k1:${older}`, key32],
  ])('stops with one line naming the variable, never the key, for %s', (_case, value, secret) => {
    let error: unknown;
    try {
      loadConfig({ DATA_ENCRYPTION_KEYS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration: DATA_ENCRYPTION_KEYS /);
    expect(message).not.toContain('\n');
    expect(message).not.toContain(secret);
    expect(message).not.toContain(secret.slice(0, 12));
  });
});
