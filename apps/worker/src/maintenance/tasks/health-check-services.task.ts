import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ServiceProbe, SystemScheduleDefinition, everyMinutesCron, messageOf } from '@conveyor/contracts';
import { ServiceHealthStore } from '@conveyor/queueing';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';

/** A service that has not answered within this is down. */
const PROBE_TIMEOUT_MS = 5_000;
const ERROR_LIMIT = 300;

/**
 * Probes each configured downstream service (PROFILE_SERVICE_URL, TRANSCRIPT_SERVICE_URL,
 * ANALYSIS_SERVICE_URL, GENERATION_SERVICE_URL) with a GET of its URL and records up/down, status code and latency in
 * Redis for `/health/detailed`. Any answer below 500 is `up` (the service answered; a 404 on its
 * base URL still proves it runs); 5xx, a refused connection or no answer in time is `down`. The
 * URLs are the operator's configuration, not client input, so the outbound policy does not apply.
 */
@SystemTaskProvider()
@Injectable()
export class HealthCheckServicesTask implements SystemTask {
  readonly schedule: SystemScheduleDefinition;

  constructor(
    private readonly store: ServiceHealthStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.schedule = {
      name: 'health-check-services',
      // Every minute unless HEALTH_CHECK_INTERVAL_MINUTES says otherwise (seed 004's is 5).
      cron: everyMinutesCron(config.intervals.healthCheckMinutes ?? 1),
      description: 'Probes the configured downstream services; results in GET /health/detailed',
    };
  }

  async run(): Promise<object> {
    const configured = this.store.services().filter((s): s is { name: string; url: string } => s.url !== undefined);
    const probes = Object.fromEntries(await Promise.all(configured.map(async (s) => [s.name, await probe(s.url)] as const)));
    await this.store.record(probes);
    return probes;
  }
}

export async function probe(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ServiceProbe> {
  const checkedAt = new Date().toISOString();
  const startedAt = performance.now();
  const latency = () => Math.round(performance.now() - startedAt);
  try {
    const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    const up = response.status < 500;
    return {
      status: up ? 'up' : 'down',
      statusCode: response.status,
      latencyMs: latency(),
      checkedAt,
      error: up ? null : `answered ${response.status}`,
    };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    // fetch's own message is only "fetch failed"; the cause says why (refused, timed out, …).
    const message = cause instanceof Error ? `${messageOf(error)}: ${cause.message}` : messageOf(error);
    return { status: 'down', statusCode: null, latencyMs: latency(), checkedAt, error: message.slice(0, ERROR_LIMIT) };
  }
}
