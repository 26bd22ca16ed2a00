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
