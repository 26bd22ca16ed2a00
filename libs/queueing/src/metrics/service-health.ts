import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ServiceHealthStatus, ServiceProbe } from '@conveyor/contracts';
import { RedisConnections } from '../redis-connections';
import { conveyorKeys } from '../redis/redis-keys';

/** A downstream service and its configured URL (undefined when not configured). */
export interface DownstreamService {
  /** `profile`, `transcript` or `analysis` (the AppConfig.services key without `Url`). */
  name: string;
  url: string | undefined;
}

export type ServiceHealth = { name: string; status: ServiceHealthStatus } & Partial<Omit<ServiceProbe, 'status'>>;

/** The latest probe of each service outlives a few missed runs of its every-minute schedule, not a quiet fleet. */
const PROBES_TTL_SECONDS = 24 * 60 * 60;

/**
 * The latest probe of each downstream service (the `health-check-services` system task writes it,
 * `/health/detailed` reads it): one Redis hash, a JSON value per service, shared by every process.
 */
@Injectable()
export class ServiceHealthStore {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnections,
  ) {}

  /** Every downstream service the configuration knows, configured or not, by name. */
  services(): DownstreamService[] {
    return Object.entries(this.config.services)
      .map(([key, url]) => ({ name: key.replace(/Url$/, ''), url: url as string | undefined }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async record(probes: Record<string, ServiceProbe>): Promise<void> {
    if (Object.keys(probes).length === 0) return;
    const values = Object.fromEntries(Object.entries(probes).map(([name, probe]) => [name, JSON.stringify(probe)]));
    await this.redis().multi().hset(this.key(), values).expire(this.key(), PROBES_TTL_SECONDS).exec();
  }

  /**
   * Each service as this process is configured: `not_configured` without a URL (never `down`),
   * `unknown` before its first probe, else the latest probe.
   */
  async read(): Promise<ServiceHealth[]> {
    const stored = await this.redis().hgetall(this.key());
    return this.services().map(({ name, url }): ServiceHealth => {
      if (url === undefined) return { name, status: 'not_configured' };
      const raw = stored[name];
      return raw ? { name, ...(JSON.parse(raw) as ServiceProbe) } : { name, status: 'unknown' };
    });
  }

  private redis() {
    return this.connections.commandClient();
  }

  private key(): string {
    return conveyorKeys(this.config.redis.prefix).servicesHealth;
  }
}
