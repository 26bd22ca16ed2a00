import { Inject, Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { checkOutboundUrl } from '@conveyor/contracts';
import { IncomingMessage, OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PermanentJobError } from './job-errors';
import { AddressRefusedError, PolicyHttpAgent, PolicyHttpsAgent } from './policy-agents';

export interface OutboundRequest {
  method: string;
  headers: OutgoingHttpHeaders;
  body?: string;
  /** Aborts the request (timeout, cancellation); pass the same signal when reading the body. */
  signal: AbortSignal;
}

/**
 * The worker's one way to call URLs on a caller's behalf (http.request targets, webhook
 * receivers), so every call passes the outbound policy twice: on the literal URL here, and on the
 * address it connects to (policy-agents), which also defeats DNS rebinding. Both use the verdict
 * submissions are checked with. Redirects are never followed (node:http does not): a 3xx is the
 * answer.
 */
@Injectable()
export class OutboundHttp implements OnModuleDestroy {
  // These agents check every address against the outbound policy when they connect.
  private readonly httpAgent: PolicyHttpAgent;
  private readonly httpsAgent: PolicyHttpsAgent;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.httpAgent = new PolicyHttpAgent(config.outbound, { keepAlive: true });
    this.httpsAgent = new PolicyHttpsAgent(config.outbound, { keepAlive: true });
  }

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * The literal URL against the policy, checked again at run time (the policy may have changed
   * since submission). A refusal is permanent: retrying would be refused again.
   */
  checkTarget(raw: string, what = 'Target URL'): URL {
    const verdict = checkOutboundUrl(raw, this.config.outbound);
    if (!verdict.allowed) throw new PermanentJobError(`${what} refused: ${verdict.reason}`);
    return verdict.url;
  }

  /** Sends one request and resolves with the response head; the caller reads or discards the body. */
  send(url: URL, request: OutboundRequest): Promise<IncomingMessage> {
    const isHttps = url.protocol === 'https:';
    const send = isHttps ? httpsRequest : httpRequest;
    const { method, headers, signal } = request;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent: isHttps ? this.httpsAgent : this.httpAgent, signal }, resolve);
      req.on('error', (error) => reject(classify(error, signal)));
      req.end(request.body);
    });
  }
}

function classify(error: Error, signal: AbortSignal): Error {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : error;
  // Refused at connect time, after DNS: retrying would be refused again.
  if (error instanceof AddressRefusedError) return new PermanentJobError(`Target address refused: ${error.message}`, { cause: error });
  return error;
}

/**
 * Reads a response body only to throw it away (at most `maxBytes`, then the connection is
 * dropped), so a kept-alive socket can be reused. Bounded in time by the request's signal.
 */
export async function discardBody(response: IncomingMessage, signal: AbortSignal, maxBytes = 64 * 1024): Promise<void> {
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    signal.throwIfAborted();
    bytes += chunk.length;
    if (bytes > maxBytes) {
      response.destroy();
      break;
    }
  }
}

/** OutboundHttp for the handlers and the webhook deliveries: one instance, one pair of agents. */
@Module({ providers: [OutboundHttp], exports: [OutboundHttp] })
export class OutboundModule {}
