import { Injectable, Optional } from '@nestjs/common';
import { messageOf } from '@conveyor/contracts';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitBreakers } from './circuit-breakers';
import { DownstreamError } from './downstream-error';

/** Time limit of one call to a downstream service, unless the call sets its own. */
export const DOWNSTREAM_TIMEOUT_MS = 10_000;
/** Tries per call (the first and two retries) on network errors, timeouts, 429 and 5xx. */
export const DOWNSTREAM_TRIES = 3;
const RETRY_DELAY_MS = 250;

export { DownstreamError } from './downstream-error';

/** Per-call options: extra headers (a service's bearer token), and a time limit other than the default. */
export interface DownstreamCallOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * JSON over HTTP to the products' downstream services (profiles, transcripts, ideas, generation…).
 * Each call has a time limit and a bounded number of tries; the job's abort signal (cancel,
 * timeout) stops it at once. These URLs come from the operator's configuration, not from clients,
 * so the outbound policy for client-given URLs does not apply. Calls to one service (URL origin)
 * share a circuit breaker (CircuitBreakers), when the app provides them: after repeated failures
 * they fail fast with CircuitOpenError and the job's attempt is deferred instead of spent.
 */
@Injectable()
export class DownstreamClient {
  constructor(@Optional() private readonly breakers?: CircuitBreakers) {}

  async getJson(url: string, signal: AbortSignal, options: DownstreamCallOptions = {}): Promise<unknown> {
    return this.call(url, { method: 'GET', headers: options.headers ?? {} }, signal, options.timeoutMs);
  }

  async postJson(url: string, body: unknown, signal: AbortSignal, options: DownstreamCallOptions = {}): Promise<unknown> {
    return this.call(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...options.headers }, body: JSON.stringify(body) },
      signal,
      options.timeoutMs,
    );
  }

  /** POSTs a file's bytes (an audio file, say) as they are read from disk, and reads a JSON answer. */
  async postFile(
    url: string,
    path: string,
    contentType: string,
    signal: AbortSignal,
    options: DownstreamCallOptions = {},
  ): Promise<unknown> {
    return this.sendFile('POST', url, path, contentType, signal, options);
  }

  /** PUTs a file's bytes (an object to storage) as they are read from disk, and reads a JSON answer. */
  async putFile(
    url: string,
    path: string,
    contentType: string,
    signal: AbortSignal,
    options: DownstreamCallOptions = {},
  ): Promise<unknown> {
    return this.sendFile('PUT', url, path, contentType, signal, options);
  }

  private sendFile(
    method: 'POST' | 'PUT',
    url: string,
    path: string,
    contentType: string,
    signal: AbortSignal,
    options: DownstreamCallOptions,
  ): Promise<unknown> {
    const init = { method, headers: { 'content-type': contentType, ...options.headers }, duplex: 'half' as const };
    // A fresh stream for every try: a body read by a failed try cannot be sent again.
    return this.call(url, init, signal, options.timeoutMs, () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>);
  }

  private call(
    url: string,
    init: RequestInit & { headers: Record<string, string> },
    signal: AbortSignal,
    timeoutMs?: number,
    body?: () => ReadableStream<Uint8Array>,
  ): Promise<unknown> {
    const tries = () => this.tries(url, init, signal, timeoutMs, body);
    return this.breakers ? this.breakers.run(new URL(url).origin, tries) : tries();
  }

  private async tries(
    url: string,
    init: RequestInit & { headers: Record<string, string> },
    signal: AbortSignal,
    timeoutMs = DOWNSTREAM_TIMEOUT_MS,
    body?: () => ReadableStream<Uint8Array>,
  ): Promise<unknown> {
    let last: DownstreamError | undefined;
    for (let attempt = 1; attempt <= DOWNSTREAM_TRIES; attempt++) {
      signal.throwIfAborted();
      // Rejects with the abort reason if the job is cancelled meanwhile (and removes its listener).
      if (attempt > 1) await sleep(RETRY_DELAY_MS * 2 ** (attempt - 2), undefined, { signal });
      try {
        const response = await fetch(url, {
          ...init,
          ...(body ? { body: body() } : {}),
          headers: { accept: 'application/json', 'user-agent': 'Conveyor/0.1', ...init.headers },
          redirect: 'manual',
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        if (response.ok) return await response.json();
        await response.body?.cancel();
        last = new DownstreamError(`${init.method} ${url} answered ${response.status}`, response.status);
        if (response.status !== 429 && response.status < 500) throw last; // the request itself is wrong
      } catch (error) {
        if (error === last) throw error;
        signal.throwIfAborted();
        last = new DownstreamError(`${init.method} ${url} failed: ${messageOf(error)}`, null);
      }
    }
    throw last!;
  }
}

/** A JSON object (not null, not an array): what a downstream answer's fields are read from. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
