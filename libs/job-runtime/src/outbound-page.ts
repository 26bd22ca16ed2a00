import { IncomingMessage } from 'node:http';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PermanentJobError } from './job-errors';
import { OutboundHttp, discardBody } from './outbound-http';

export interface OutboundGetOptions {
  /** Body bytes accepted at most. */
  maxBytes: number;
  /** The whole fetch, redirects and body included. */
  timeoutMs: number;
  /** Redirects followed at most; each target passes the outbound policy again. */
  maxRedirects: number;
  /** The job's signal (cancel, attempt timeout). */
  signal: AbortSignal;
  /** What the URL is, in errors ("Website URL"). */
  what?: string;
  /** The Accept header. */
  accept?: string;
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
 * GETs a URL on a caller's behalf and resolves with the final response head: redirects are
 * followed only to targets the outbound policy allows, checked at every hop (on the literal URL
 * here, on the connected address by OutboundHttp's agents). A refused hop is permanent.
 */
async function openFollowingRedirects(
  http: OutboundHttp,
  raw: string,
  options: OutboundGetOptions,
  signal: AbortSignal,
): Promise<{ response: IncomingMessage; url: URL; redirects: string[] }> {
  const what = options.what ?? 'URL';
  const redirects: string[] = [];
  let url = http.checkTarget(raw, what);
  for (;;) {
    const response = await http.send(url, {
      method: 'GET',
      headers: { accept: options.accept ?? '*/*', 'user-agent': 'Conveyor/0.1 (+fetch)' },
      signal,
    });
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location) return { response, url, redirects };
    await discardBody(response, signal);
    if (redirects.length >= options.maxRedirects) throw new PermanentJobError(`${what}: more than ${options.maxRedirects} redirects`);
    const next = URL.canParse(location, url.toString()) ? new URL(location, url).toString() : undefined;
    if (!next) throw new PermanentJobError(`${what}: a redirect to an unusable location`);
    redirects.push(next);
    url = http.checkTarget(next, `${what} redirect`);
  }
}

/** A page (or any small document) as text, its body capped at `maxBytes` (`truncated` past it). */
export async function fetchPage(http: OutboundHttp, raw: string, options: OutboundGetOptions): Promise<FetchedPage> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const { response, url, redirects } = await openFollowingRedirects(
    http,
    raw,
    { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5', ...options },
    signal,
  );
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
    status: response.statusCode ?? 0,
    contentType: typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : null,
    body: Buffer.concat(chunks).toString('utf8'),
    truncated,
    redirects,
  };
}

export interface DownloadedFile {
  url: string;
  bytes: number;
  contentType: string | null;
}

/**
 * Streams a URL's body into `path` (redirects as fetchPage). A non-2xx answer, or a body larger
 * than `maxBytes` (declared or counted), fails for good and leaves no file; `onProgress` hears
 * the bytes written and the declared length (null when unknown).
 */
export async function downloadToFile(
  http: OutboundHttp,
  raw: string,
  path: string,
  options: OutboundGetOptions & { onProgress?: (bytes: number, total: number | null) => Promise<void> },
): Promise<DownloadedFile> {
  const what = options.what ?? 'URL';
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const { response, url } = await openFollowingRedirects(http, raw, options, signal);
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    await discardBody(response, signal);
    const error = `${what} answered ${status}`;
    throw status >= 500 || status === 429 ? new Error(error) : new PermanentJobError(error);
  }
  const declared = Number(response.headers['content-length']);
  const total = Number.isFinite(declared) && declared >= 0 ? declared : null;
  const tooLarge = () => new PermanentJobError(`${what} is larger than the ${options.maxBytes}-byte limit`);
  if (total !== null && total > options.maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  let bytes = 0;
  let lastReport = 0;
  // Counts (and caps) the bytes on their way to disk; pipeline gives backpressure and cleanup.
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) return done(tooLarge());
      if (options.onProgress && Date.now() - lastReport > 250) {
        lastReport = Date.now();
        options.onProgress(bytes, total).then(() => done(null, chunk), done);
        return;
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, counter, createWriteStream(path), { signal });
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  await options.onProgress?.(bytes, total);
  return {
    url: url.toString(),
    bytes,
    contentType: typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : null,
  };
}
