import { HealthStatus } from '@conveyor/contracts';

/** The only eviction policy under which Bull cannot lose jobs (its lock keys carry TTLs). */
export const SAFE_EVICTION_POLICY = 'noeviction';

/** `INFO` output as field → value (section headers and blank lines dropped). */
export function parseRedisInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (line.startsWith('#') || colon <= 0) continue;
    fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return fields;
}

/** Anything but `noeviction` can evict Bull's keys and lose jobs (RELIABILITY §1). */
export function evictionPolicyVerdict(policy: string | undefined): { health: HealthStatus; reasons: string[] } {
  if (policy === SAFE_EVICTION_POLICY) return { health: 'healthy', reasons: [] };
  return {
    health: 'warning',
    reasons: [`maxmemory-policy is ${policy ?? 'unknown'}; run Redis with ${SAFE_EVICTION_POLICY}, or evicted Bull keys can lose jobs`],
  };
}
