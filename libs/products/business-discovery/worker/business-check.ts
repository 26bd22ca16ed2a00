import { OutboundHttp } from '@conveyor/job-runtime';
import { messageOf } from '@conveyor/contracts';
import { SocialProfile, crawlSite } from '../../website-content/worker';
import type { BusinessValidation } from '../data';

export interface BusinessToCheck {
  name: string;
  address?: string | null;
  website?: string | null;
}

export interface PageLimits {
  pageMaxBytes: number;
  pageTimeoutMs: number;
}

/** Same-site pages read besides the home page (about, contact… first) when looking for social links. */
const EXTRA_PAGES = 2;

/**
 * Checks a business as seed 004's `validate-business` does: name and address present, and the
 * website answering with an HTML page. The website is crawled as the website-analysis product
 * crawls one (outbound policy at every hop, capped), so its social links come with the check. A
 * website that fails is the business's problem, reported, never the job's failure.
 */
export async function checkBusiness(
  http: OutboundHttp,
  business: BusinessToCheck,
  limits: PageLimits,
  signal: AbortSignal,
  onPage: (done: number, total: number) => Promise<void> = async () => undefined,
): Promise<{ validation: BusinessValidation; socials: SocialProfile[] }> {
  const problems: string[] = [];
  if (!business.name.trim()) problems.push('no name');
  if (!business.address?.trim()) problems.push('no address');
  if (!business.website) {
    problems.push('no website');
    return { validation: { valid: false, website: null, problems }, socials: [] };
  }
  try {
    const { facts } = await crawlSite(http, business.website, { extraPages: EXTRA_PAGES, ...limits }, signal, onPage);
    const status = facts.pages[0]?.status ?? null;
    return {
      validation: {
        valid: problems.length === 0,
        website: { url: business.website, finalUrl: facts.finalUrl, status, error: null },
        problems,
      },
      socials: facts.socials,
    };
  } catch (error) {
    signal.throwIfAborted();
    const reason = messageOf(error);
    problems.push(`website: ${reason}`);
    return {
      validation: { valid: false, website: { url: business.website, finalUrl: null, status: null, error: reason }, problems },
      socials: [],
    };
  }
}

/** The Instagram handle among a site's social links (the first one; Instagram's own rule for a username). */
export function instagramHandle(socials: readonly SocialProfile[]): SocialProfile | null {
  return socials.find((s) => s.platform === 'instagram' && /^[A-Za-z0-9._]{1,30}$/.test(s.handle)) ?? null;
}
