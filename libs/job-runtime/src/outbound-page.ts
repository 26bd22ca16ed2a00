import { PermanentJobError } from './job-errors';
import { OutboundHttp, discardBody } from './outbound-http';

export interface PageFetchOptions {
  /** Bytes of body kept at most; the rest is not read (`truncated`). */
  maxBytes: number;
  /** The whole fetch, redirects included. */
  timeoutMs: number;
  /** Redirects followed at most; each target passes the outbound policy again. */
  maxRedirects: number;
  /** The job's signal (cancel, attempt timeout). */
  signal: AbortSignal;
  /** What the URL is, in errors ("Website URL"). */
  what?: string;
}

export interface FetchedPage {
  /** The URL asked for. */
  requested: string;
  /** Where the answer came from, after redirects. */
  url: string;
  status: number;
  contentType: string | null;
  /** The body as UTF-8 text, at most `maxBytes` of it. */
  body: string;
  truncated: boolean;
  /** Every hop followed, in order (absolute URLs). */
  redirects: string[];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GETs a page on a caller's behalf: redirects are followed only to targets the outbound policy
 * allows, checked at every hop (on the literal URL here, on the connected address by OutboundHttp's
 * agents), the body is capped and the whole fetch bounded in time. A refused hop is permanent.
 */
export async function fetchPage(http: OutboundHttp, raw: string, options: PageFetchOptions): Promise<FetchedPage> {
  const what = options.what ?? 'URL';
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const redirects: string[] = [];
  let url = http.checkTarget(raw, what);
  for (;;) {
    const response = await http.send(url, {
      method: 'GET',
      headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5', 'user-agent': 'Conveyor/0.1 (+page fetch)' },
      signal,
    });
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      await discardBody(response, signal);
      if (redirects.length >= options.maxRedirects) throw new PermanentJobError(`${what}: more than ${options.maxRedirects} redirects`);
      const next = URL.canParse(location, url.toString()) ? new URL(location, url).toString() : undefined;
      if (!next) throw new PermanentJobError(`${what}: a redirect to an unusable location`);
      redirects.push(next);
      url = http.checkTarget(next, `${what} redirect`);
      continue;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let truncated = false;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      const room = options.maxBytes - bytes;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      bytes += Math.min(chunk.length, room);
      if (chunk.length >= room && bytes >= options.maxBytes) {
        truncated = true;
        response.destroy();
        break;
      }
    }
    return {
      requested: raw,
      url: url.toString(),
      status,
      contentType: typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : null,
      body: Buffer.concat(chunks).toString('utf8'),
      truncated,
      redirects,
    };
  }
}
