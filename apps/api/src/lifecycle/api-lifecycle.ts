import { Injectable, Logger } from '@nestjs/common';
import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import type { NextFunction, Request, Response } from 'express';

/** Routes that keep answering while the API drains: orchestrators must see readiness go 503. */
const ALWAYS_SERVED = /^\/health(\/|$)/;

/**
 * Graceful shutdown of an API process (RELIABILITY F6). On SIGTERM main.ts calls `drain`:
 *  1. readiness (`GET /health/ready`) answers 503 at once; for API_SHUTDOWN_DELAY_MS the API
 *     otherwise serves as usual, so load balancers stop sending traffic before anything is refused;
 *  2. then new requests get 503 with `Connection: close`, `Prefer: wait` requests answer with the
 *     job's state now (202) instead of waiting, and event streams end with a `reconnect` event;
 *  3. requests in flight finish (at most API_SHUTDOWN_GRACE_MS) before the app closes its Redis
 *     and MongoDB connections, so every answered submit is both recorded and in Bull.
 */
@Injectable()
export class ApiLifecycle {
  private readonly logger = new Logger(ApiLifecycle.name);
  private readonly stopping = new AbortController();
  private readonly refusing = new AbortController();
  private inFlight = 0;
  private idle?: () => void;

  /** Counts requests in flight; refuses new ones once draining has passed the delay. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (this.refusing.signal.aborted && !ALWAYS_SERVED.test(req.path)) {
      res.setHeader('Connection', 'close');
      // Nest's error handling answers it: the usual envelope, with Retry-After.
      next(
        new ConveyorError(ErrorCode.ServiceUnavailable, 'This API instance is shutting down; retry (another instance will answer)', {
          retryAfterSeconds: 1,
        }),
      );
      return;
    }
    this.inFlight++;
    res.once('close', () => {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    });
    next();
  };

  /** False from the shutdown signal on: the readiness probe's answer. */
  get ready(): boolean {
    return !this.stopping.signal.aborted;
  }

  /** Aborted when requests should stop waiting (after the delay): `Prefer: wait` answers then. */
  get stopWaiting(): AbortSignal {
    return this.refusing.signal;
  }

  async drain({ delayMs, graceMs, endStreams }: { delayMs: number; graceMs: number; endStreams: () => Promise<void> }): Promise<void> {
    this.stopping.abort();
    this.logger.log(`Shutting down: not ready; serving ${delayMs} ms more, then finishing requests in flight`);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    this.refusing.abort();
    await endStreams();
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        new Promise<boolean>((resolve) => (this.idle = () => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
      if (!finished) this.logger.warn(`${this.inFlight} request(s) still in flight after ${graceMs} ms; closing anyway`);
    }
  }
}
