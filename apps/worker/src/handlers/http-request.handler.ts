import { Injectable } from '@nestjs/common';
import {
  HttpRequestPayload,
  HttpRequestResult,
  HttpRequestStep,
  httpRequestJob,
  RESPONSE_EXCERPT_BYTES,
  RESPONSE_READ_LIMIT_BYTES,
} from '@conveyor/contracts';
import { IncomingMessage } from 'node:http';
import { JobContext, JobHandler, JobHandlerContract, OutboundHttp } from '@conveyor/job-runtime';

/** A response whose status is not the one the job expects; retried like a network error. */
export class UnexpectedStatusError extends Error {
  override readonly name = 'UnexpectedStatusError';
  readonly code = 'UNEXPECTED_STATUS';
}

/**
 * `http.request`: calls the URL once per attempt. Network errors and unexpected statuses fail the
 * attempt (Bull retries with the queue's backoff); a target the policy refuses fails the job.
 * Redirects are not followed: a 3xx is an unexpected status unless `expectStatus` names it.
 */
@JobHandler()
@Injectable()
export class HttpRequestHandler implements JobHandlerContract<HttpRequestPayload, HttpRequestResult> {
  readonly definition = httpRequestJob;

  constructor(private readonly outbound: OutboundHttp) {}

  async run(ctx: JobContext<HttpRequestPayload>): Promise<HttpRequestResult> {
    const url = await ctx.step(HttpRequestStep.CheckTarget, async () => this.outbound.checkTarget(ctx.payload.url));
    const startedAt = performance.now();
    const response = await ctx.step(HttpRequestStep.SendRequest, (signal) => this.send(url, ctx.payload, signal));
    return ctx.step(HttpRequestStep.ReadResponse, async (signal) => {
      const body = await readBounded(response, signal);
      const result: HttpRequestResult = {
        statusCode: response.statusCode ?? 0,
        durationMs: Math.round(performance.now() - startedAt),
        contentType: response.headers['content-type'] ?? null,
        responseBytes: body.bytes,
        responseExcerpt: body.excerpt,
        truncated: body.truncated,
      };
      this.checkStatus(result.statusCode, ctx.payload.expectStatus);
      return result;
    });
  }

  private send(url: URL, payload: HttpRequestPayload, signal: AbortSignal): Promise<IncomingMessage> {
    const headers: Record<string, string> = { 'user-agent': 'Conveyor/0.1 (+http.request)', ...payload.headers };
    let body: string | undefined;
    if (typeof payload.body === 'string') {
      body = payload.body;
    } else if (payload.body !== undefined) {
      body = JSON.stringify(payload.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    return this.outbound.send(url, { method: payload.method, headers, body, signal });
  }

  private checkStatus(status: number, expected: number | undefined): void {
    const ok = expected === undefined ? status >= 200 && status < 300 : status === expected;
    if (!ok) throw new UnexpectedStatusError(`Expected status ${expected ?? '2xx'}, got ${status}`);
  }
}

/** Reads at most RESPONSE_READ_LIMIT_BYTES, keeping the first RESPONSE_EXCERPT_BYTES as text. */
async function readBounded(
  response: IncomingMessage,
  signal: AbortSignal,
): Promise<{ bytes: number; excerpt: string; truncated: boolean }> {
  const head: Buffer[] = [];
  let kept = 0;
  let bytes = 0;
  let truncated = false;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    signal.throwIfAborted();
    bytes += chunk.length;
    if (kept < RESPONSE_EXCERPT_BYTES) {
      const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept);
      head.push(part);
      kept += part.length;
    }
    if (bytes > RESPONSE_READ_LIMIT_BYTES) {
      truncated = true;
      response.destroy();
      break;
    }
  }
  truncated ||= bytes > RESPONSE_EXCERPT_BYTES;
  // Cutting at a byte limit can split a UTF-8 character; the decoder replaces the broken tail.
  return { bytes, excerpt: Buffer.concat(head).toString('utf8'), truncated };
}
