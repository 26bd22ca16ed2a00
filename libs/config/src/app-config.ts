import { availableParallelism } from 'node:os';
import { HEALTH_THRESHOLDS, type DataKey, type HealthThresholds, type OutboundPolicy } from '@conveyor/contracts';
import { z, ZodType } from 'zod';
import { configSchema, RawConfig } from './config.schema';
import { ConfigError } from './config-error';
import { dataKeysFrom } from './data-keys';

export { ConfigError } from './config-error';

/** Typed, validated configuration shared by both apps. Only this module reads `process.env`. */
export interface AppConfig {
  env: RawConfig['NODE_ENV'];
  logLevel: RawConfig['LOG_LEVEL'];
  api: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    docs: 'public' | 'admin' | 'off';
    shutdownDelayMs: number;
    shutdownGraceMs: number;
  };
  redis: { url: string; prefix: string };
  mongo: { url: string };
  bull: { lockDurationMs: number; lockRenewMs: number; stalledIntervalMs: number; maxStalledCount: number };
  worker: { shutdownGraceMs: number; maxConcurrency?: number; configPollMs: number; cpuThreads: number };
  outbound: OutboundPolicy;
  reconcile: { intervalMs: number; graceMs: number; batchSize: number };
  circuits: { volumeThreshold: number; errorThresholdPercentage: number; resetTimeoutMs: number; rollingWindowMs: number };
  scheduler: { tickMs: number; minIntervalMs: number };
  /** How long finished job records are kept (the `cleanup-expired-jobs` system schedule). */
  retention: { jobRecordDays: number };
  /** Seed 004's intervals of two system schedules; unset, their own crons stand. */
  intervals: { cleanupHours?: number; healthCheckMinutes?: number };
  /** Alert thresholds of /health/detailed and the queues API. */
  health: HealthThresholds;
  /** Overrides of every job queue's policy from the environment (and the default delay of a submission). */
  queues: { backlogLimit?: number; keepCompleted?: number; keepFailed?: number; defaultAttempts?: number; defaultDelayMs: number };
  identity: { mode: 'gateway' | 'jwt'; gatewaySecret?: string; jwtSecret?: string; adminToken?: string };
  http: { trustProxyHops: number; sseMaxStreamsPerCaller: number };
  throttle: {
    windowMs: number;
    readLimit: number;
    submitLimit: number;
    submitIpLimit: number;
    adminLimit: number;
    bulkLimit: number;
    ipLimit: number;
    queueStatusLimit: number;
    queueAdminLimit: number;
  };
  webhooks: { signingSecret?: string; timeoutMs: number; attempts: number; backoffMs: number; legacySignature: boolean };
  metrics: { token?: string; workerPort: number; workerHost: string };
  /** Job data at rest: the first key seals, all open; none → plaintext (refused in production). */
  encryption: { keys: DataKey[] };
  /** Downstream HTTP services products call; unset means not configured. */
  services: {
    profileUrl?: string;
    transcriptUrl?: string;
    analysisUrl?: string;
    generationUrl?: string;
    placesUrl?: string;
    objectStorageUrl?: string;
  };
  /** Bearer tokens sent to the downstream services that take one. */
  serviceTokens: { generation?: string };
  /** The environment this was read from (empty values dropped): products read their own settings from it (loadSettings). */
  source: Readonly<Record<string, string>>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const source = withoutEmptyValues(env);
  const parsed = configSchema.safeParse(source);
  // Every problem in one pass: each variable's rule, then the rules between variables, then the keys.
  const problems = [...(parsed.success ? [] : issueLines(parsed.error.issues)), ...crossFieldProblems(source), ...dataKeyProblems(source)];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const c = parsed.data;
  return {
    env: c.NODE_ENV,
    logLevel: c.LOG_LEVEL,
    api: {
      host: c.API_HOST,
      port: c.API_PORT,
      bodyLimitBytes: c.API_BODY_LIMIT_BYTES,
      docs: c.API_DOCS ?? (c.NODE_ENV === 'production' ? 'admin' : 'public'),
      shutdownDelayMs: c.API_SHUTDOWN_DELAY_MS,
      shutdownGraceMs: c.API_SHUTDOWN_GRACE_MS,
    },
    redis: { url: c.REDIS_URL, prefix: c.BULL_PREFIX },
    mongo: { url: c.MONGO_URL },
    bull: {
      lockDurationMs: c.BULL_LOCK_DURATION_MS,
      lockRenewMs: c.BULL_LOCK_RENEW_MS,
      stalledIntervalMs: c.BULL_STALLED_INTERVAL_MS,
      maxStalledCount: c.BULL_MAX_STALLED_COUNT,
    },
    worker: {
      shutdownGraceMs: c.WORKER_SHUTDOWN_GRACE_MS,
      maxConcurrency: c.WORKER_MAX_CONCURRENCY ?? c.MAX_CONCURRENT_JOBS,
      configPollMs: c.WORKER_CONFIG_POLL_MS,
      cpuThreads: c.WORKER_CPU_THREADS ?? availableParallelism(),
    },
    reconcile: { intervalMs: c.RECONCILE_INTERVAL_MS, graceMs: c.RECONCILE_GRACE_MS, batchSize: c.RECONCILE_BATCH_SIZE },
    circuits: {
      volumeThreshold: c.CIRCUIT_VOLUME_THRESHOLD,
      errorThresholdPercentage: c.CIRCUIT_ERROR_PERCENT,
      resetTimeoutMs: c.CIRCUIT_RESET_MS,
      rollingWindowMs: c.CIRCUIT_WINDOW_MS,
    },
    scheduler: { tickMs: c.SCHEDULER_TICK_MS, minIntervalMs: c.SCHEDULE_MIN_INTERVAL_MS },
    retention: { jobRecordDays: c.JOB_RECORD_RETENTION_DAYS },
    intervals: { cleanupHours: c.CLEANUP_INTERVAL_HOURS, healthCheckMinutes: c.HEALTH_CHECK_INTERVAL_MINUTES },
    health: {
      ...HEALTH_THRESHOLDS,
      queueDepthWarning: c.HEALTH_QUEUE_DEPTH_WARNING,
      failureRateWarning: c.HEALTH_FAILURE_RATE_WARNING,
      failureRateError: c.HEALTH_FAILURE_RATE_ERROR,
      utilisationWarning: c.HEALTH_UTILISATION_WARNING,
      stuckFactor: c.HEALTH_STUCK_FACTOR,
      averageProcessingWarningMs: c.HEALTH_AVERAGE_PROCESSING_WARNING_MS,
    },
    outbound: {
      allowedHosts: c.OUTBOUND_ALLOWED_HOSTS.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      allowLoopback: c.OUTBOUND_ALLOW_LOOPBACK ?? c.NODE_ENV !== 'production',
      allowPrivate: c.OUTBOUND_ALLOW_PRIVATE,
    },
    queues: {
      backlogLimit: c.QUEUE_BACKLOG_LIMIT ?? c.MAX_JOBS_PER_QUEUE,
      keepCompleted: c.REMOVE_COMPLETED_AFTER,
      keepFailed: c.REMOVE_FAILED_AFTER,
      defaultAttempts: c.DEFAULT_JOB_ATTEMPTS,
      defaultDelayMs: c.DEFAULT_JOB_DELAY,
    },
    identity: { mode: c.IDENTITY_MODE, gatewaySecret: c.GATEWAY_SECRET, jwtSecret: c.JWT_SECRET, adminToken: c.ADMIN_API_TOKEN },
    http: { trustProxyHops: c.TRUST_PROXY_HOPS, sseMaxStreamsPerCaller: c.SSE_MAX_STREAMS_PER_CALLER },
    throttle: {
      windowMs: c.THROTTLE_WINDOW_MS,
      readLimit: c.THROTTLE_READ_LIMIT,
      submitLimit: c.THROTTLE_SUBMIT_LIMIT,
      submitIpLimit: c.THROTTLE_SUBMIT_IP_LIMIT,
      adminLimit: c.THROTTLE_ADMIN_LIMIT,
      bulkLimit: c.THROTTLE_BULK_LIMIT,
      ipLimit: c.THROTTLE_IP_LIMIT,
      queueStatusLimit: c.THROTTLE_QUEUE_STATUS_LIMIT,
      queueAdminLimit: c.THROTTLE_QUEUE_ADMIN_LIMIT,
    },
    webhooks: {
      signingSecret: c.WEBHOOK_SIGNING_SECRET,
      timeoutMs: c.WEBHOOK_TIMEOUT_MS,
      attempts: c.WEBHOOK_ATTEMPTS,
      backoffMs: c.WEBHOOK_BACKOFF_MS,
      legacySignature: c.WEBHOOK_LEGACY_SIGNATURE,
    },
    metrics: { token: c.METRICS_TOKEN, workerPort: c.WORKER_METRICS_PORT, workerHost: c.WORKER_METRICS_HOST },
    encryption: { keys: dataKeysFrom(c.DATA_ENCRYPTION_KEYS, c.NODE_ENV) },
    services: {
      profileUrl: c.PROFILE_SERVICE_URL,
      transcriptUrl: c.TRANSCRIPT_SERVICE_URL,
      analysisUrl: c.ANALYSIS_SERVICE_URL,
      generationUrl: c.GENERATION_SERVICE_URL,
      placesUrl: c.PLACES_SERVICE_URL,
      objectStorageUrl: c.OBJECT_STORAGE_URL,
    },
    serviceTokens: { generation: c.GENERATION_SERVICE_TOKEN },
    source,
  };
}

/**
 * A product's own settings, read from the environment AppConfig was read from and refused the same
 * way: a bad value stops the app with one line naming the variable.
 */
export function loadSettings<S extends ZodType>(schema: S, config: Pick<AppConfig, 'source'>): z.infer<S> {
  return parseOrStop(schema, config.source);
}

function parseOrStop<S extends ZodType>(schema: S, source: Readonly<Record<string, string>>): z.infer<S> {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  throw new ConfigError(issueLines(parsed.error.issues));
}

/** Every variable's first problem, its rule only: a value may be a secret. */
function issueLines(issues: readonly z.ZodIssue[]): string[] {
  const byVariable = new Map<string, string>();
  for (const issue of issues) {
    const variable = issue.path.join('.') || 'environment';
    if (!byVariable.has(variable)) byVariable.set(variable, `${variable} ${issue.message}`);
  }
  return [...byVariable.values()];
}

/** Rules between variables, judged when the variables they read are valid on their own (else those are reported). */
function crossFieldProblems(source: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const rates = configSchema.pick({ HEALTH_FAILURE_RATE_ERROR: true, HEALTH_FAILURE_RATE_WARNING: true }).safeParse(source);
  if (rates.success && rates.data.HEALTH_FAILURE_RATE_ERROR < rates.data.HEALTH_FAILURE_RATE_WARNING) {
    problems.push('HEALTH_FAILURE_RATE_ERROR must be at least HEALTH_FAILURE_RATE_WARNING');
  }
  const identity = configSchema.pick({ IDENTITY_MODE: true, JWT_SECRET: true }).safeParse(source);
  if (identity.success && identity.data.IDENTITY_MODE === 'jwt' && !identity.data.JWT_SECRET) {
    problems.push('JWT_SECRET is required when IDENTITY_MODE=jwt');
  }
  return problems;
}

/** DATA_ENCRYPTION_KEYS' own rules (the schema only takes the string: its refusal would print a secret). */
function dataKeyProblems(source: Readonly<Record<string, string>>): string[] {
  const env = configSchema.shape.NODE_ENV.safeParse(source.NODE_ENV);
  try {
    dataKeysFrom(source.DATA_ENCRYPTION_KEYS, env.success ? env.data : 'development');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

/** An exported-but-empty variable (`FOO=`) means "use the default", as in most twelve-factor apps. */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}
