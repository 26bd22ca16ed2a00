import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { RedisConnections } from '../redis-connections';
import { conveyorKeys } from '../redis/redis-keys';

export type SharedCircuitState = 'closed' | 'open' | 'half-open';

/** One downstream service's breakers across the live workers. */
export interface CircuitReport {
  /** The service's name when its URL is a configured one (`transcript`…), else its origin. */
  service: string;
  origin: string;
  /** The worst state of any live worker's breaker. */
  state: SharedCircuitState;
  /** Live workers per state of their breaker for this service. */
  workers: Partial<Record<SharedCircuitState, number>>;
  /** When the latest change among them happened. */
  changedAt: string;
}

const TTL_SECONDS = 24 * 60 * 60;
const SEVERITY: Record<SharedCircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Circuit breaker states shared by the workers (each breaker lives in one worker's memory): every
 * change is written to one Redis hash, `<worker id>|<origin>` → `{ state, at }`, and
 * `/health/detailed` reads it for the workers that are alive.
 */
@Injectable()
export class CircuitStates {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnections,
  ) {}

  async record(workerId: string, origin: string, state: SharedCircuitState): Promise<void> {
    const value = JSON.stringify({ state, at: new Date().toISOString() });
    await this.redis().multi().hset(this.key(), `${workerId}|${origin}`, value).expire(this.key(), TTL_SECONDS).exec();
  }

  /** Per service, over the live workers given; entries of workers gone are dropped from the hash. */
  async read(liveWorkerIds: ReadonlySet<string>): Promise<CircuitReport[]> {
    const stored = await this.redis().hgetall(this.key());
    const names = new Map(
      Object.entries(this.config.services)
        .filter(([, url]) => url)
        .map(([key, url]) => [new URL(url as string).origin, key.replace(/Url$/, '')]),
    );
    const byOrigin = new Map<string, CircuitReport>();
    const gone: string[] = [];
    for (const [field, raw] of Object.entries(stored)) {
      const [workerId, origin] = [field.slice(0, field.indexOf('|')), field.slice(field.indexOf('|') + 1)];
      if (!liveWorkerIds.has(workerId)) {
        gone.push(field);
        continue;
      }
      const { state, at } = JSON.parse(raw) as { state: SharedCircuitState; at: string };
      const report = byOrigin.get(origin) ?? { service: names.get(origin) ?? origin, origin, state: 'closed', workers: {}, changedAt: at };
      report.workers[state] = (report.workers[state] ?? 0) + 1;
      if (SEVERITY[state] > SEVERITY[report.state]) report.state = state;
      if (at > report.changedAt) report.changedAt = at;
      byOrigin.set(origin, report);
    }
    if (gone.length > 0) await this.redis().hdel(this.key(), ...gone);
    return [...byOrigin.values()].sort((a, b) => a.service.localeCompare(b.service));
  }

  private redis() {
    return this.connections.commandClient();
  }

  private key(): string {
    return conveyorKeys(this.config.redis.prefix).circuits;
  }
}
