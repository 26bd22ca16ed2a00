import { OutboundHttp, PermanentJobError, fetchPage } from '@conveyor/job-runtime';
import { messageOf } from '@conveyor/contracts';
import type { FoundCta } from '../data';
import { PageFacts, SocialProfile, extractPageFacts, pagesToFollow, textSummary } from './site-facts';

export interface CrawlLimits {
  extraPages: number;
  pageMaxBytes: number;
  pageTimeoutMs: number;
}

/** One page the analysis asked for, and how it answered. */
export interface FetchedPageReport {
  url: string;
  finalUrl: string | null;
  status: number | null;
  title: string | null;
  error: string | null;
}

/** What a website analysis found, across the page asked for and the same-site pages it links. */
export interface SiteAnalysisFacts {
  url: string;
  finalUrl: string;
  title: string | null;
  description: string | null;
  language: string | null;
  headings: PageFacts['headings'];
  summary: ReturnType<typeof textSummary>;
  contacts: { emails: string[]; phones: string[] };
  socials: SocialProfile[];
  pages: FetchedPageReport[];
}

const MAX_REDIRECTS = 5;

/**
 * Fetches the website (through the outbound policy, every redirect re-checked) and up to
 * `extraPages` same-site pages it links (about, pricing, contact… first), parses each, and merges
 * what they say. The first page must answer with HTML; a linked page that fails is reported, not fatal.
 */
export async function crawlSite(
  http: OutboundHttp,
  url: string,
  limits: CrawlLimits,
  signal: AbortSignal,
  onPage: (done: number, total: number) => Promise<void>,
): Promise<{ facts: SiteAnalysisFacts; ctas: FoundCta[] }> {
  const options = { maxBytes: limits.pageMaxBytes, timeoutMs: limits.pageTimeoutMs, maxRedirects: MAX_REDIRECTS, signal };
  const first = await fetchPage(http, url, { ...options, what: 'Website URL' });
  if (first.status >= 500) throw new Error(`The website answered ${first.status}`); // may recover: retried
  if (first.status >= 400) throw new PermanentJobError(`The website answered ${first.status}`);
  if (!isHtml(first.contentType))
    throw new PermanentJobError(`The website answered ${first.contentType ?? 'without a content type'}, not HTML`);
  const main = extractPageFacts(first.body, first.url);
  const pages: PageFacts[] = [main];
  const reports: FetchedPageReport[] = [{ url, finalUrl: first.url, status: first.status, title: main.title, error: null }];
  const next = pagesToFollow(main, limits.extraPages);
  await onPage(1, next.length + 1);
  for (const [index, pageUrl] of next.entries()) {
    try {
      const page = await fetchPage(http, pageUrl, { ...options, what: 'Linked page' });
      const facts = page.status < 400 && isHtml(page.contentType) ? extractPageFacts(page.body, page.url) : null;
      if (facts) pages.push(facts);
      reports.push({ url: pageUrl, finalUrl: page.url, status: page.status, title: facts?.title ?? null, error: null });
    } catch (error) {
      signal.throwIfAborted();
      reports.push({ url: pageUrl, finalUrl: null, status: null, title: null, error: messageOf(error) });
    }
    await onPage(index + 2, next.length + 1);
  }
  const ctas = new Map<string, FoundCta>();
  for (const cta of pages.flatMap((p) => p.ctas)) if (!ctas.has(cta.target)) ctas.set(cta.target, cta);
  const socials = new Map<string, SocialProfile>();
  for (const social of pages.flatMap((p) => p.socials)) socials.set(`${social.platform}:${social.handle.toLowerCase()}`, social);
  return {
    facts: {
      url,
      finalUrl: first.url,
      title: main.title,
      description: main.description,
      language: main.language,
      headings: main.headings,
      summary: textSummary(pages.map((p) => p.text).join(' ')),
      contacts: { emails: unique(pages.flatMap((p) => p.emails)), phones: unique(pages.flatMap((p) => p.phones)) },
      socials: [...socials.values()],
      pages: reports,
    },
    ctas: [...ctas.values()],
  };
}

function isHtml(contentType: string | null): boolean {
  return contentType !== null && /^(text\/html|application\/xhtml\+xml)\b/i.test(contentType.trim());
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
