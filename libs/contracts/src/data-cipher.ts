import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One data-encryption key: its id (named in every ciphertext it makes) and its 32 bytes. */
export interface DataKey {
  id: string;
  key: Buffer;
}

/** Key ids appear in ciphertexts between colons, so they are kept to a plain alphabet. */
export const DATA_KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const DATA_KEY_BYTES = 32;

const VERSION = 'enc:v1';
const IV_BYTES = 12;
/** `enc:v1:<key id>:<iv>:<tag>:<ciphertext>`, each part base64url. */
const SEALED = /^enc:v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]+)$/;

/** A sealed value that cannot be opened: unknown key, another job's value, or tampered with. */
export class DataDecryptionError extends Error {
  override readonly name = 'DataDecryptionError';
}

/** Whether a stored value is a ciphertext of DataCipher (anything else is plaintext). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && SEALED.test(value);
}

/**
 * Job data at rest (payloads, results, callback secrets) in MongoDB and Redis: AES-256-GCM, one
 * JSON value per ciphertext, a compact self-describing string so it fits any field (a secret stays
 * a string). The job id is authenticated data, so a ciphertext moved to another job fails to open.
 *
 * The first key seals; every key opens, so keys rotate by putting a new one first. With no keys,
 * values are stored as they are (allowed outside production only, see libs/config). `seal` leaves
 * sealed values alone and `open` passes plaintext through, so values can be copied between the two
 * stores sealed, and records written before encryption stay readable.
 */
export class DataCipher {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(private readonly keys: readonly DataKey[]) {
    for (const { id, key } of keys) {
      if (!DATA_KEY_ID_PATTERN.test(id)) throw new Error(`Data key id "${id}" must match ${DATA_KEY_ID_PATTERN}`);
      if (key.length !== DATA_KEY_BYTES) throw new Error(`Data key "${id}" must be ${DATA_KEY_BYTES} bytes`);
    }
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** False when no key is configured: values are then stored in plaintext. */
  get encrypting(): boolean {
    return this.keys.length > 0;
  }

  /**
   * A stored value (sealed already, or plaintext from before encryption), sealed for `jobId` with
   * the active key. Null, undefined and sealed values stay as they are.
   */
  seal<T>(value: T, jobId: string): T | string {
    return isSealed(value) ? value : this.sealNew(value, jobId);
  }

  /**
   * A value as it comes in (a client's payload or secret, a handler's result), always sealed: one
   * that merely looks sealed is data too, never passed through.
   */
  sealNew<T>(value: T, jobId: string): T | string {
    if (!this.encrypting || value === undefined || value === null) return value;
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(id, jobId));
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [VERSION, id, b64(iv), b64(cipher.getAuthTag()), b64(data)].join(':');
  }

  /** The value `seal` was given for `jobId`; anything not sealed (plaintext written before encryption) as it is. */
  open<T = unknown>(value: unknown, jobId: string): T {
    if (typeof value !== 'string') return value as T;
    const parts = SEALED.exec(value);
    if (!parts) return value as T;
    const [, id, iv, tag, data] = parts;
    const key = this.byId.get(id);
    if (!key) throw new DataDecryptionError(`Job ${jobId} holds data sealed with key "${id}", which DATA_ENCRYPTION_KEYS does not hold`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(aad(id, jobId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as T;
    } catch {
      throw new DataDecryptionError(`Job ${jobId} holds sealed data that does not open with key "${id}" (another job's, or altered)`);
    }
  }
}

/** Binds a ciphertext to its format, its key id and its job. */
function aad(keyId: string, jobId: string): Buffer {
  return Buffer.from(`${VERSION}:${keyId}:${jobId}`, 'utf8');
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}
