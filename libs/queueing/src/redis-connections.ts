import { AppConfig } from '@conveyor/config';
import Redis, { RedisOptions } from 'ioredis';

/** Listeners a shared connection may hold before Node warns of a leak (see open). */
const SHARED_CONNECTION_LISTENERS = 200;

/** Producers (the API) fail fast while Redis is down; workers wait for it to come back. */
export type QueueRole = 'producer' | 'worker';

/**
 * Creates Bull's Redis connections: one shared command client and one shared subscriber per
 * process, a blocking client per queue. Bull does not close connections it did not create, so
 * this class tracks and closes them.
 */
export class RedisConnections {
  private readonly opened = new Set<Redis>();
  private readonly blocking = new Set<Redis>();
  private shared: Partial<Record<'client' | 'subscriber', Redis>> = {};

  constructor(
    private readonly url: string,
    private readonly role: QueueRole,
  ) {}

  /** Bull's `createClient` hook. */
  create = (type: 'client' | 'subscriber' | 'bclient'): Redis => {
    if (type === 'bclient') {
      const client = this.open(type);
      this.blocking.add(client);
      return client;
    }
    return (this.shared[type] ??= this.open(type));
  };

  /** The shared command client, for Conveyor's own keys (idempotency, throttling, counters). */
  commandClient(): Redis {
    return this.create('client');
  }

  /** A subscriber of Conveyor's own (Bull's shared one stays Bull's); closed with the rest. */
  dedicatedSubscriber(): Redis {
    return this.open('subscriber');
  }

  /**
   * Drops the connections Bull blocks on while waiting for jobs, at once. Bull's own local pause
   * first sends QUIT, which waits behind the blocked BRPOPLPUSH for up to 500 ms; a job arriving
   * meanwhile would still be taken by a worker that is shutting down.
   */
  abortBlockingReads(): void {
    for (const client of this.blocking) client.disconnect();
  }

  async closeAll(): Promise<void> {
    const clients = [...this.opened];
    this.opened.clear();
    this.blocking.clear();
    this.shared = {};
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private open(type: 'client' | 'subscriber' | 'bclient'): Redis {
    const client = new Redis(this.url, this.options(type));
    // Every Bull queue on a shared connection adds its own error listener: one per queue object,
    // and a process holds a few per queue (producer, consumer, one being replaced). Beyond this bound
    // Node's leak warning still has something to say.
    if (type !== 'bclient') client.setMaxListeners(SHARED_CONNECTION_LISTENERS);
    if (type === 'client' && this.role === 'producer') {
      // A producer fails commands at once while disconnected (no offline queue): a request during
      // a Redis outage gets its 503 (or, for rate limits, fails open) without waiting for a
      // reconnect. Only from the first connection on, so commands sent while starting still wait.
      client.once('ready', () => (client.options.enableOfflineQueue = false));
    }
    this.opened.add(client);
    return client;
  }

  private options(type: 'client' | 'subscriber' | 'bclient'): RedisOptions {
    const common: RedisOptions = { connectionName: `conveyor-${this.role}-${type}` };
    if (type !== 'client') {
      // Bull refuses blocking and subscriber connections that retry per request or check readiness.
      return { ...common, maxRetriesPerRequest: null, enableReadyCheck: false };
    }
    // No auto-pipelining: it measured no CPU gain per submit, and it lets a MULTI (Bull's
    // moveToFailed, say) overtake a command sent before it but not yet awaited.
    return this.role === 'producer'
      ? { ...common, maxRetriesPerRequest: 1, connectTimeout: 2_000 }
      : { ...common, maxRetriesPerRequest: null };
  }
}

export function redisConnectionsFor(config: AppConfig, role: QueueRole): RedisConnections {
  return new RedisConnections(config.redis.url, role);
}
