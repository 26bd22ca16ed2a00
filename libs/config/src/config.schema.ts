import ipaddr from 'ipaddr.js';
import { HEALTH_THRESHOLDS, webhookSecretProblem } from '@conveyor/contracts';
import { z } from 'zod';

/** pino's level names → Nest's, which LOG_LEVEL is kept in. */
const PINO_LEVEL_NAMES = { fatal: 'error', info: 'log', trace: 'verbose' } as const;
type NestLogLevelName = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** "true"/"false"/"1"/"0" → boolean; anything else is a configuration error. */
const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const port = z.coerce.number().int().min(1).max(65535);
export const milliseconds = z.coerce.number().int().min(1);
/** A share between 0 and 1 (0.1 = 10 %). */
const ratio = z.coerce.number().min(0).max(1);

export function isIpOrCidr(value: string): boolean {
  if (ipaddr.isValid(value)) return true;
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

const urlWithScheme = (schemes: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${schemes.map((s) => s + '//').join(' or ')} URL` },
  );

/**
 * Every environment variable Conveyor reads. Defaults start everything locally with no `.env`
 * (DESIGN §5). Names here are the names operators set; keep the README's table in step.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Nest's level names, or pino's (info = log, trace = verbose, fatal = error). */
  LOG_LEVEL: z
    .enum(['error', 'warn', 'log', 'debug', 'verbose', 'fatal', 'info', 'trace'], {
      message: 'must be one of error, warn, log (or info), debug, verbose (or trace)',
    })
    .default('log')
    .transform((level): NestLogLevelName => (level === 'fatal' || level === 'info' || level === 'trace' ? PINO_LEVEL_NAMES[level] : level)),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  /** Largest accepted request body, in bytes. */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),
  /** Swagger at /docs: `public`, `admin` (admin credentials, like the dashboard) or `off`; unset → admin in production. */
  API_DOCS: z.enum(['public', 'admin', 'off']).optional(),
  /** After SIGTERM: readiness 503 but serving as usual this long, so load balancers move traffic away first. */
  API_SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(0),
  /** After the delay: how long requests in flight may take to finish before the API closes. */
  API_SHUTDOWN_GRACE_MS: milliseconds.default(10_000),

  REDIS_URL: urlWithScheme(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  MONGO_URL: urlWithScheme(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017/conveyor'),
  /** Key prefix for every Bull key; wrap it in {braces} to pin queues to one Redis Cluster slot. */
  BULL_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:{}_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : { } _ -')
    .default('conveyor'),

  /** Bull lock and stalled-job timings (RELIABILITY §1); tests shorten them. */
  BULL_LOCK_DURATION_MS: milliseconds.default(30_000),
  BULL_LOCK_RENEW_MS: milliseconds.default(15_000),
  BULL_STALLED_INTERVAL_MS: milliseconds.default(30_000),
  BULL_MAX_STALLED_COUNT: z.coerce.number().int().min(0).max(100).default(1),

  /** Caps every queue's concurrency in this worker process (default: each queue policy's own). */
  WORKER_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  /** Seed 004's name for WORKER_MAX_CONCURRENCY (which wins when both are set). */
  MAX_CONCURRENT_JOBS: z.coerce.number().int().min(1).max(1000).optional(),
  /** Threads a worker runs offloaded CPU work on (JobContext.offload); default: one per core. */
  WORKER_CPU_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /** How often a worker re-reads its queues' settings (concurrency, rate limit) from MongoDB. */
  WORKER_CONFIG_POLL_MS: milliseconds.default(5_000),
  /** How long a stopping worker lets active jobs finish before it exits anyway. */
  WORKER_SHUTDOWN_GRACE_MS: milliseconds.default(10_000),

  /** Reconciliation sweep (worker): how often it runs across the fleet (one worker at a time). */
  RECONCILE_INTERVAL_MS: milliseconds.default(60_000),
  /** Records written more recently than this are left alone (a submit or retry may be in flight). */
  RECONCILE_GRACE_MS: milliseconds.default(30_000),
  /** Records read per batch (at most 10 batches per sweep). */
  RECONCILE_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),

  /** Circuit breakers of downstream services (per worker, per service): calls in the window before one may open… */
  CIRCUIT_VOLUME_THRESHOLD: z.coerce.number().int().min(1).max(10_000).default(5),
  /** …the failed share of them, %, above which it opens… */
  CIRCUIT_ERROR_PERCENT: z.coerce.number().min(1).max(100).default(50),
  /** …how long it stays open before a probe call (half-open)… */
  CIRCUIT_RESET_MS: milliseconds.default(30_000),
  /** …and the rolling window the calls are counted over (at most the reset time, so a probe's success starts it afresh). */
  CIRCUIT_WINDOW_MS: milliseconds.default(30_000),

  /** Scheduler (worker): how often each worker looks for due schedules (one worker at a time fires them). */
  SCHEDULER_TICK_MS: milliseconds.default(5_000),
  /** Shortest allowed gap between two runs of a repeating schedule. */
  SCHEDULE_MIN_INTERVAL_MS: milliseconds.default(60_000),

  /** Job records (completed, failed, cancelled) older than this are deleted by `cleanup-expired-jobs`. */
  JOB_RECORD_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),

  /** Alert thresholds of /health/detailed and the queues API (defaults: HEALTH_THRESHOLDS). */
  HEALTH_QUEUE_DEPTH_WARNING: z.coerce.number().int().min(0).default(HEALTH_THRESHOLDS.queueDepthWarning),
  HEALTH_FAILURE_RATE_WARNING: ratio.default(HEALTH_THRESHOLDS.failureRateWarning),
  HEALTH_FAILURE_RATE_ERROR: ratio.default(HEALTH_THRESHOLDS.failureRateError),
  HEALTH_UTILISATION_WARNING: ratio.default(HEALTH_THRESHOLDS.utilisationWarning),
  HEALTH_STUCK_FACTOR: z.coerce.number().min(1).max(1000).default(HEALTH_THRESHOLDS.stuckFactor),
  /** A queue's average processing time above this → warning; 0 (default) turns the check off. */
  HEALTH_AVERAGE_PROCESSING_WARNING_MS: z.coerce.number().int().min(0).default(HEALTH_THRESHOLDS.averageProcessingWarningMs),

  /** Outbound HTTP (http.request targets): comma-separated host patterns, `*` for any public host. */
  OUTBOUND_ALLOWED_HOSTS: z.string().default('*'),
  /** Loopback targets; defaults to allowed outside production. */
  OUTBOUND_ALLOW_LOOPBACK: booleanFlag.optional(),
  /** Private, link-local and other non-public ranges; refused unless set. */
  OUTBOUND_ALLOW_PRIVATE: booleanFlag.default(false),

  /** Overrides every queue policy's backlog limit (waiting + delayed jobs before submissions get 429). */
  QUEUE_BACKLOG_LIMIT: z.coerce.number().int().min(1).optional(),
  /** Seed 004's name for QUEUE_BACKLOG_LIMIT (which wins when both are set). */
  MAX_JOBS_PER_QUEUE: z.coerce.number().int().min(1).optional(),
  /** Seed 004: completed and failed jobs each queue keeps in Redis, overriding every queue's policy (records stay in MongoDB). */
  REMOVE_COMPLETED_AFTER: z.coerce.number().int().min(0).optional(),
  REMOVE_FAILED_AFTER: z.coerce.number().int().min(0).optional(),
  /** Seed 004: default attempts of every job queue (a queue's cap still applies; a submission may still ask for its own). */
  DEFAULT_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(100).optional(),
  /** Seed 004: ms a job is held back when its submission gives no delay. */
  DEFAULT_JOB_DELAY: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 60 * 60 * 1000)
    .default(0),
  /** Seed 004: how often cleanup-expired-jobs runs, hours, a divisor of 24 so the gaps are even (unset: every hour, at :17). */
  CLEANUP_INTERVAL_HOURS: z.coerce
    .number()
    .int()
    .refine((h) => h >= 1 && 24 % h === 0, { message: 'must divide a day evenly: 1, 2, 3, 4, 6, 8, 12 or 24' })
    .optional(),
  /** Seed 004: how often health-check-services probes the downstream services, minutes, a divisor of 60 (unset: every minute). */
  HEALTH_CHECK_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .refine((m) => m >= 1 && 60 % m === 0, { message: 'must divide an hour evenly: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60' })
    .optional(),

  /** gateway: trust `x-user-id` from the gateway in front; jwt: require a verified bearer JWT. */
  IDENTITY_MODE: z.enum(['gateway', 'jwt']).default('gateway'),
  /** Shared with the gateway; `x-user-role` is honoured only on requests that carry it. */
  GATEWAY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** HS256 secret for IDENTITY_MODE=jwt. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Bearer token for admin routes; with none set, the token never grants admin. */
  ADMIN_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Proxies in front of the API whose X-Forwarded-For is trusted (0: use the socket address). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),

  /** Requests per caller and per IP in each window (counters in Redis, shared by API replicas). */
  THROTTLE_WINDOW_MS: milliseconds.default(60_000),
  THROTTLE_READ_LIMIT: z.coerce.number().int().min(1).default(600),
  THROTTLE_SUBMIT_LIMIT: z.coerce.number().int().min(1).default(120),
  /** Submissions per client IP (many callers may share one IP behind NAT, so it is looser). */
  THROTTLE_SUBMIT_IP_LIMIT: z.coerce.number().int().min(1).default(600),
  THROTTLE_ADMIN_LIMIT: z.coerce.number().int().min(1).default(60),
  /** Bulk submissions (up to 500 jobs each) per caller. */
  THROTTLE_BULK_LIMIT: z.coerce.number().int().min(1).default(10),
  /** Every throttled request per client IP, whoever the caller (self-chosen session ids included). */
  THROTTLE_IP_LIMIT: z.coerce.number().int().min(1).default(3000),
  /** GET /api/v1/queue/status, metrics and config per caller and window, instead of the admin class. */
  THROTTLE_QUEUE_STATUS_LIMIT: z.coerce.number().int().min(1).default(100),
  /** POST and PUT /api/v1/queue/* per caller and window, instead of the admin class. */
  THROTTLE_QUEUE_ADMIN_LIMIT: z.coerce.number().int().min(1).default(5),
  /** Open Server-Sent Event streams one caller may hold. */
  SSE_MAX_STREAMS_PER_CALLER: z.coerce.number().int().min(1).max(1000).default(5),

  /** Signs webhooks of callers who did not give their own callbackSecret. */
  WEBHOOK_SIGNING_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .refine((secret) => webhookSecretProblem(secret) === undefined, {
      message: 'must be whsec_ and canonical base64 of 24 to 64 bytes, if it starts with whsec_',
    })
    .optional(),
  WEBHOOK_TIMEOUT_MS: milliseconds.default(10_000),
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** First retry delay; later ones double. */
  WEBHOOK_BACKOFF_MS: milliseconds.default(5_000),
  /** Also send the signature in Conveyor's older form (`v1=`) beside the standard one (`v1,`), while receivers move over. */
  WEBHOOK_LEGACY_SIGNATURE: booleanFlag.default(true),

  /** A worker's Prometheus endpoint (GET /metrics); 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, /metrics (API and workers) needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

  /**
   * Data-encryption keys, `<id>:<base64 32 bytes>` comma-separated, the active one first. Checked by
   * dataKeysFrom, not here: a refusal here would print the value, and this one is a secret.
   */
  DATA_ENCRYPTION_KEYS: z.string().optional(),

  /**
   * Downstream services products call (HTTP JSON): profile data, transcripts, idea generation, places,
   * object storage. A product says what it needs of them; one that is not configured is reported,
   * never invented.
   */
  PROFILE_SERVICE_URL: urlWithScheme(['http:', 'https:']).optional(),
  TRANSCRIPT_SERVICE_URL: urlWithScheme(['http:', 'https:']).optional(),
  ANALYSIS_SERVICE_URL: urlWithScheme(['http:', 'https:']).optional(),
  GENERATION_SERVICE_URL: urlWithScheme(['http:', 'https:']).optional(),
  GENERATION_SERVICE_TOKEN: z.string().min(1).max(4096).optional(),
  /** Places search (`GET /places?q=&location=&radius_km=`) and object storage (`PUT /objects/{name}`). */
  PLACES_SERVICE_URL: urlWithScheme(['http:', 'https:']).optional(),
  OBJECT_STORAGE_URL: urlWithScheme(['http:', 'https:']).optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
