/**
 * Who submitted a job: a user (from the gateway or a JWT), an anonymous session, or a service
 * holding the admin token.
 */
export interface Owner {
  kind: 'user' | 'session' | 'service';
  id: string;
}

/**
 * The single string stored on every job record and used in every owner filter. The kind is part
 * of the key, so the session "u1" and the user "u1" never see each other's jobs.
 */
export function ownerKey(owner: Owner): string {
  return `${owner.kind}:${owner.id}`;
}

/** The owner a stored owner key names (the inverse of ownerKey). */
export function ownerFromKey(key: string): Owner {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon);
  if (colon < 1 || (kind !== 'user' && kind !== 'session' && kind !== 'service')) throw new Error(`Not an owner key: ${key}`);
  return { kind, id: key.slice(colon + 1) };
}
