import { DownstreamError } from '@conveyor/job-runtime';
import { FetchedProfile, ViralServices } from '../../viral-ideas/worker';

export type ProfileLookup = { outcome: 'found'; profile: FetchedProfile } | { outcome: 'not-found' } | { outcome: 'not-configured' };

export const NO_PROFILE_SERVICE = 'No profile service is configured (PROFILE_SERVICE_URL): the handle was not confirmed.';

/**
 * Asks the profile service (the viral-ideas product's client, `GET /profiles/{username}`) for an
 * account: a 404 means it does not exist; any other failure is the service's and is thrown (the
 * job retries, or the circuit breaker defers it).
 */
export async function lookUpProfile(services: ViralServices, username: string, signal: AbortSignal): Promise<ProfileLookup> {
  if (!services.profilesConfigured) return { outcome: 'not-configured' };
  try {
    return { outcome: 'found', profile: await services.profile(username, null, signal) };
  } catch (error) {
    if (error instanceof DownstreamError && error.status === 404) return { outcome: 'not-found' };
    throw error;
  }
}
