import { Injectable, Logger } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { DownstreamError } from './downstream-error';

/** A downstream service's breaker was open: the call was not made. The attempt is deferred, not spent. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly service: string,
    /** When the breaker lets a probe call through again. */
    readonly retryAfterMs: number,
  ) {
    super(
      `The circuit of ${service} is open after repeated failures; the call was not made (retried in ${Math.ceil(retryAfterMs / 1000)} s)`,
    );
  }
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/** How breakers trip and recover (CIRCUIT_* settings). */
export interface CircuitSettings {
  /** Calls in the rolling window before the breaker may open. */
  volumeThreshold: number;
  /** Failed share of those calls, %, above which it opens. */
  errorThresholdPercentage: number;
  /** How long it stays open before letting one probe call through (half-open). */
  resetTimeoutMs: number;
  /** The rolling window the failures are counted over. */
  rollingWindowMs: number;
}

export const DEFAULT_CIRCUIT_SETTINGS: CircuitSettings = {
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 30_000,
  rollingWindowMs: 30_000,
};

/**
 * One circuit breaker per downstream service (keyed by the service URL's origin), in this process,
 * with opossum: after repeated failures (network errors, timeouts, 429 and 5xx; a 4xx is the
 * request's fault, not the service's) calls fail fast with CircuitOpenError for `resetTimeoutMs`,
 * then one probe call goes through (half-open) and its outcome closes or reopens the breaker.
 */
@Injectable()
export class CircuitBreakers {
  private readonly logger = new Logger(CircuitBreakers.name);
  private readonly breakers = new Map<string, { breaker: CircuitBreaker<[() => Promise<unknown>], unknown>; openedAt: number }>();
  private readonly listeners: Array<(service: string, state: CircuitState) => void> = [];
  private settings: CircuitSettings = DEFAULT_CIRCUIT_SETTINGS;

  configure(settings: CircuitSettings): void {
    this.settings = settings;
  }

  /** Told of every state change (metrics, the shared state in Redis). */
  onChange(listener: (service: string, state: CircuitState) => void): void {
    this.listeners.push(listener);
  }

  async run<T>(service: string, call: () => Promise<T>): Promise<T> {
    const entry = this.entry(service);
    if (entry.breaker.opened) throw new CircuitOpenError(service, this.retryAfterMs(entry.openedAt));
    try {
      return (await entry.breaker.fire(call)) as T;
    } catch (error) {
      // Refused by the breaker (it opened, or a half-open probe is already under way).
      if ((error as { code?: string }).code === 'EOPENBREAKER') throw new CircuitOpenError(service, this.retryAfterMs(entry.openedAt));
      throw error;
    }
  }

  states(): Record<string, CircuitState> {
    return Object.fromEntries([...this.breakers].map(([service, { breaker }]) => [service, stateOf(breaker)]));
  }

  /**
   * Until the breaker's probe time; while half-open (its one probe under way, which may take its
   * whole time limit) a full reset period. A fifth more at random, so deferred jobs do not all wake
   * at once.
   */
  private retryAfterMs(openedAt: number): number {
    const untilProbe = openedAt + this.settings.resetTimeoutMs - Date.now();
    const base = untilProbe > 1_000 ? untilProbe : this.settings.resetTimeoutMs;
    return Math.round(base * (1 + Math.random() * 0.2));
  }

  private entry(service: string) {
    const existing = this.breakers.get(service);
    if (existing) return existing;
    const { volumeThreshold, errorThresholdPercentage, resetTimeoutMs, rollingWindowMs } = this.settings;
    const breaker = new CircuitBreaker(async (call: () => Promise<unknown>) => call(), {
      timeout: false, // each call has its own time limit (DownstreamClient)
      volumeThreshold,
      errorThresholdPercentage,
      resetTimeout: resetTimeoutMs,
      rollingCountTimeout: rollingWindowMs,
      // Not the service's fault: a request it refused as wrong. (An aborted call counts against the
      // service: opossum would count a filtered error as a success, and a hung service's probe ends
      // in the job's own timeout.)
      errorFilter: (error: unknown) =>
        error instanceof DownstreamError && error.status !== null && error.status < 500 && error.status !== 429,
    });
    const entry = { breaker, openedAt: 0 };
    const changed = (state: CircuitState) => {
      if (state === 'open') entry.openedAt = Date.now();
      this.logger.warn(`Circuit of ${service}: ${state}`);
      for (const listener of this.listeners) listener(service, state);
    };
    breaker.on('open', () => changed('open'));
    breaker.on('halfOpen', () => changed('half-open'));
    breaker.on('close', () => changed('closed'));
    this.breakers.set(service, entry);
    return entry;
  }
}

function stateOf(breaker: CircuitBreaker): CircuitState {
  return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
}
