/** Validation options shared by the product's payloads. */
export const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** An Instagram username: 1–30 letters, digits, dots and underscores (Instagram's own rule). */
export const INSTAGRAM_USERNAME = /^[A-Za-z0-9._]{1,30}$/;

/** A stored video's name in STORAGE_DIR: the SHA-256 of its bytes, lower-case hex. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
