/** What the `health-check-services` system task found for one downstream service. */
export interface ServiceProbe {
  /** `up`: it answered below 500; `down`: 5xx, refused, or no answer within the probe's timeout. */
  status: 'up' | 'down';
  statusCode: number | null;
  latencyMs: number;
  /** ISO time of the probe. */
  checkedAt: string;
  error: string | null;
}

/** A service in `/health/detailed`: its latest probe, or why there is none. */
export type ServiceHealthStatus = ServiceProbe['status'] | 'not_configured' | 'unknown';
