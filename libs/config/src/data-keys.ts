import { DATA_KEY_BYTES, DATA_KEY_ID_PATTERN, DataKey } from '@conveyor/contracts';
import { ConfigError } from './config-error';

const VARIABLE = 'DATA_ENCRYPTION_KEYS';

/**
 * The data-encryption keys of `DATA_ENCRYPTION_KEYS` ("k2:<base64>,k1:<base64>", the first seals new
 * data, all open). Unset: none, which only a non-production environment may run with. Errors name
 * the variable and the key id, never key material.
 */
export function dataKeysFrom(value: string | undefined, env: string): DataKey[] {
  if (value === undefined) {
    if (env === 'production') throw invalid('is required in production (job data is encrypted at rest); see the README');
    return [];
  }
  const keys = value.split(',').map((entry, index) => dataKey(entry.trim(), index + 1));
  const ids = keys.map((k) => k.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw invalid(`names key id "${repeated}" twice`);
  return keys;
}

function dataKey(entry: string, position: number): DataKey {
  const colon = entry.indexOf(':');
  const id = colon < 0 ? '' : entry.slice(0, colon);
  if (!DATA_KEY_ID_PATTERN.test(id)) {
    throw invalid(`entry ${position} must be <key id>:<base64 key>, the id 1-32 characters of A-Z a-z 0-9 _ -`);
  }
  const encoded = entry.slice(colon + 1);
  const key = Buffer.from(encoded, 'base64');
  // Buffer.from skips what is not base64; re-encoding shows whether anything was skipped.
  const canonical = encoded.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (key.length !== DATA_KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== canonical) {
    throw invalid(`key "${id}" must be ${DATA_KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32)`);
  }
  return { id, key };
}

function invalid(reason: string): ConfigError {
  return new ConfigError([`${VARIABLE} ${reason}`]);
}
