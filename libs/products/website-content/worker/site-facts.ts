import { load } from 'cheerio';
import type { FoundCta } from '../data';

export interface SocialProfile {
  platform: 'instagram' | 'tiktok' | 'youtube' | 'linkedin' | 'x' | 'facebook';
  url: string;
  /** The handle or page name in the URL (without `@`). */
  handle: string;
}

/** What one HTML page says about the business behind it. */
export interface PageFacts {
  url: string;
  title: string | null;
  description: string | null;
  language: string | null;
  headings: { level: number; text: string }[];
  /** The visible text (scripts, styles and navigation chrome removed), whitespace collapsed. */
  text: string;
  ctas: FoundCta[];
  emails: string[];
  phones: string[];
  socials: SocialProfile[];
  /** Links to other pages of the same site (absolute, no fragment), with their text. */
  sameSiteLinks: { url: string; text: string }[];
}

const MAX_HEADINGS = 40;
const MAX_CTAS = 50;
const CTA_WORDS =
  /\b(get started|start|sign ?up|register|join|book|schedule|contact|call|buy|order|shop|subscribe|try|demo|request|download|get a quote|quote|learn more|apply|donate|reserve)\b/i;
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,24}/gi;
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}/g;

/** Parses one page (a real HTML parser: cheerio on parse5) and extracts its facts. */
export function extractPageFacts(html: string, pageUrl: string): PageFacts {
  const $ = load(html);
  const base = new URL(pageUrl);
  const absolute = (href: string | undefined): URL | null => {
    if (!href) return null;
    try {
      return new URL(href.trim(), base);
    } catch {
      return null;
    }
  };
  const clean = (value: string | undefined | null) => (value ?? '').replace(/\s+/g, ' ').trim();

  const headings: PageFacts['headings'] = [];
  $('h1, h2, h3').each((_, el) => {
    const text = clean($(el).text());
    if (text && headings.length < MAX_HEADINGS) headings.push({ level: Number(el.tagName.slice(1)), text });
  });

  const ctas: FoundCta[] = [];
  const emails = new Set<string>();
  const phones = new Set<string>();
  const socials = new Map<string, SocialProfile>();
  const sameSite = new Map<string, string>();
  const addCta = (text: string, target: string, kind: FoundCta['kind']) => {
    if (text && ctas.length < MAX_CTAS && !ctas.some((c) => c.target === target))
      ctas.push({ text: text.slice(0, 200), target, kind, pageUrl });
  };

  $('a[href]').each((_, el) => {
    const link = $(el);
    const href = link.attr('href');
    const text = clean(link.text()) || clean(link.attr('aria-label')) || clean(link.attr('title'));
    if (href?.toLowerCase().startsWith('mailto:')) {
      const email = safeDecode(href.slice(7).split('?')[0]).trim().toLowerCase();
      if (EMAIL.test(email)) emails.add(email);
      EMAIL.lastIndex = 0;
    }
    if (href?.toLowerCase().startsWith('tel:')) phones.add(href.slice(4).replace(/[^\d+]/g, ''));
    const url = absolute(href);
    if (!url) return;
    const social = socialProfile(url);
    if (social) socials.set(`${social.platform}:${social.handle.toLowerCase()}`, social);
    const buttonLike = /\b(btn|button|cta)\b/i.test(link.attr('class') ?? '') || link.attr('role') === 'button';
    const isWeb = url.protocol === 'http:' || url.protocol === 'https:';
    const target = isWeb ? withoutHash(url) : url.toString();
    if (buttonLike) addCta(text, target, 'button');
    else if (CTA_WORDS.test(text) && (isWeb || url.protocol === 'mailto:' || url.protocol === 'tel:')) addCta(text, target, 'link');
    if (isWeb && url.host === base.host && !social && text) sameSite.set(withoutHash(url), text);
  });
  $('button, input[type=submit], input[type=button]').each((_, el) => {
    const node = $(el);
    const text = clean(node.is('input') ? node.attr('value') : node.text()) || clean(node.attr('aria-label'));
    const action = absolute(node.closest('form').attr('action') ?? node.attr('formaction'));
    const target = action ? withoutHash(action) : `${withoutHash(base)}#button:${text.toLowerCase()}`;
    if (text) addCta(text, target, 'button');
  });

  $('script, style, noscript, template, svg').remove();
  const text = clean($('body').text() || $.root().text());
  for (const match of text.match(EMAIL) ?? []) emails.add(match.toLowerCase());
  for (const match of text.match(PHONE) ?? []) {
    const digits = match.replace(/\D/g, '');
    if (digits.length >= 8 && digits.length <= 15) phones.add(match.trim().startsWith('+') ? `+${digits}` : digits);
  }

  return {
    url: pageUrl,
    title: clean($('title').first().text()) || clean($('meta[property="og:title"]').attr('content')) || null,
    description:
      clean($('meta[name="description"]').attr('content')) || clean($('meta[property="og:description"]').attr('content')) || null,
    language: clean($('html').attr('lang')) || null,
    headings,
    text,
    ctas,
    emails: [...emails],
    phones: [...phones],
    socials: [...socials.values()],
    sameSiteLinks: [...sameSite].map(([url, text]) => ({ url, text })),
  };
}

const SOCIAL_HOSTS: Array<{ platform: SocialProfile['platform']; hosts: string[]; handle: (segments: string[]) => string | null }> = [
  {
    platform: 'instagram',
    hosts: ['instagram.com'],
    handle: (s) => (s[0] && !['p', 'reel', 'explore', 'accounts'].includes(s[0]) ? s[0] : null),
  },
  { platform: 'tiktok', hosts: ['tiktok.com'], handle: (s) => (s[0]?.startsWith('@') ? s[0].slice(1) : null) },
  {
    platform: 'youtube',
    hosts: ['youtube.com'],
    handle: (s) => (s[0]?.startsWith('@') ? s[0].slice(1) : ['c', 'channel', 'user'].includes(s[0] ?? '') && s[1] ? s[1] : null),
  },
  {
    platform: 'linkedin',
    hosts: ['linkedin.com'],
    handle: (s) => (['company', 'in', 'school'].includes(s[0] ?? '') && s[1] ? s[1] : null),
  },
  {
    platform: 'x',
    hosts: ['x.com', 'twitter.com'],
    handle: (s) => (s[0] && !['intent', 'share', 'home', 'i'].includes(s[0]) ? s[0].replace(/^@/, '') : null),
  },
  {
    platform: 'facebook',
    hosts: ['facebook.com', 'fb.com'],
    handle: (s) => (s[0] && !['sharer', 'sharer.php', 'share', 'dialog', 'plugins', 'tr'].includes(s[0]) ? s[0] : null),
  },
];

/** The social profile a link points at, if it is one (share and intent links are not). */
export function socialProfile(url: URL): SocialProfile | null {
  const host = url.hostname.toLowerCase().replace(/^(www|m|mobile)\./, '');
  const known = SOCIAL_HOSTS.find((s) => s.hosts.includes(host));
  if (!known) return null;
  const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
  const handle = known.handle(segments);
  if (!handle || !/^[\w.@-]{1,100}$/.test(handle)) return null;
  return { platform: known.platform, url: `https://${known.hosts[0]}${url.pathname.replace(/\/+$/, '')}`, handle };
}

const LINK_PRIORITY = ['about', 'pricing', 'price', 'contact', 'team', 'services', 'product', 'company', 'plans'];

/**
 * The same-site pages worth fetching next (about, pricing, contact… first), at most `max`, never
 * the page itself and never a file that is not a page.
 */
export function pagesToFollow(facts: PageFacts, max: number): string[] {
  const self = withoutHash(new URL(facts.url));
  const score = ({ url, text }: { url: string; text: string }) => {
    const words = `${new URL(url).pathname} ${text}`.toLowerCase();
    const index = LINK_PRIORITY.findIndex((w) => words.includes(w));
    return index < 0 ? LINK_PRIORITY.length : index;
  };
  return facts.sameSiteLinks
    .filter((l) => l.url !== self && !/\.(pdf|jpe?g|png|gif|svg|webp|zip|mp4|mp3|css|js)$/i.test(new URL(l.url).pathname))
    .map((l) => ({ ...l, score: score(l) }))
    .filter((l) => l.score < LINK_PRIORITY.length)
    .sort((a, b) => a.score - b.score)
    .slice(0, max)
    .map((l) => l.url);
}

const STOP_WORDS = new Set(
  (
    'a about above after again all also am an and any are as at be because been before being below between both but by can could did do does ' +
    'doing down during each few for from further get got had has have having he her here hers him his how i if in into is it its itself just ' +
    'me more most my no nor not now of off on once only or other our ours out over own same she should so some such than that the their ' +
    'theirs them then there these they this those through to too under until up us very was we were what when where which while who whom ' +
    'why will with you your yours yourself etc per via'
  ).split(' '),
);

/** Word count and the most frequent meaningful words of a text. */
export function textSummary(text: string, top = 10): { wordCount: number; topKeywords: { word: string; count: number }[] } {
  const words = text.toLowerCase().match(/[\p{L}][\p{L}\p{N}'-]*/gu) ?? [];
  const counts = new Map<string, number>();
  for (const word of words) {
    if (word.length < 3 || STOP_WORDS.has(word)) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const topKeywords = [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, top)
    .map(([word, count]) => ({ word, count }));
  return { wordCount: words.length, topKeywords };
}

/** Percent-decoding that leaves a malformed sequence (`%E0`) as it is instead of throwing. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function withoutHash(url: URL): string {
  const copy = new URL(url);
  copy.hash = '';
  return copy.toString();
}
