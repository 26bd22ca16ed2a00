import { HealthThresholds } from './observability';
import { BackoffSpec } from './backoff';
import { QueueName } from './queue-name';

/** The one place a queue's retry, concurrency, timeout, backlog and retention policy lives. */
export interface QueuePolicy {
  name: QueueName;
  /** What the queue's jobs do, in a few words (the queues API shows it). */
  description?: string;
  /** Jobs one worker process runs at once on this queue. */
  concurrency: number;
  /** Default attempts per job (a submission may ask for fewer or up to `maxAttempts`). */
  attempts: number;
  maxAttempts: number;
  backoff: BackoffSpec;
  /** Default per-attempt time limit; a submission may lower it or raise it up to `maxTimeoutMs`. */
  timeoutMs: number;
  maxTimeoutMs: number;
  /** Waiting + delayed jobs above which submissions are refused (admission control). */
  backlogLimit: number;
  /** How many finished jobs Bull keeps in Redis; MongoDB keeps every record regardless. */
  keepCompleted: number;
  keepFailed: number;
  /** Typical processing time, used for the first ETA before real timings exist. */
  expectedDurationMs: number;
  /** The queue `/api/v1/queue/*` acts on when no `?queue=` names one (at most one queue says so). */
  defaultForQueueRoutes?: boolean;
  /** Alert thresholds of this queue where they differ from the HEALTH_* settings. */
  healthThresholds?: Partial<HealthThresholds>;
}

/** The platform queues' policies; a product declares its queues' policies in its contracts. */
export const PLATFORM_QUEUE_POLICIES: readonly QueuePolicy[] = [
  {
    name: QueueName.Http,
    description: 'Outbound HTTP calls (http.request jobs)',
    concurrency: 10,
    attempts: 3,
    maxAttempts: 10,
    backoff: { type: 'exponential', delayMs: 2_000 },
    timeoutMs: 30_000,
    maxTimeoutMs: 5 * 60_000,
    backlogLimit: 10_000,
    keepCompleted: 1_000,
    keepFailed: 5_000,
    expectedDurationMs: 1_000,
  },
  // A notification job reads its owner's settings and hands one delivery to `webhooks` (which
  // sends it with the webhook retries): short, and in a lane of its own so a backlog of clients'
  // http.request jobs never holds notifications back.
  {
    name: QueueName.Notifications,
    description: 'Notifications of flows’ and long jobs’ ends (send-notification jobs)',
    concurrency: 5,
    attempts: 5,
    maxAttempts: 10,
    backoff: { type: 'exponential', delayMs: 2_000 },
    timeoutMs: 30_000,
    maxTimeoutMs: 60_000,
    backlogLimit: 100_000,
    keepCompleted: 1_000,
    keepFailed: 5_000,
    expectedDurationMs: 200,
  },
  // Attempts and backoff of deliveries come from WEBHOOK_ATTEMPTS and WEBHOOK_BACKOFF_MS (the
  // values here are their defaults); each attempt's time limit from WEBHOOK_TIMEOUT_MS.
  {
    name: QueueName.Webhooks,
    description: 'Signed webhook deliveries about jobs',
    concurrency: 20,
    attempts: 3,
    maxAttempts: 20,
    backoff: { type: 'exponential', delayMs: 5_000 },
    timeoutMs: 10_000,
    maxTimeoutMs: 10_000,
    backlogLimit: 100_000,
    keepCompleted: 1_000,
    keepFailed: 5_000,
    expectedDurationMs: 500,
  },
  // Two system tasks at a time per worker: they sweep collections and must not pile up on
  // FerretDB, yet a long one (a backup) must not hold every other behind it. A big database's
  // backup may need a longer timeout (PUT /api/v1/queues/maintenance/config, up to 2 h).
  {
    name: QueueName.Maintenance,
    description: 'System jobs: cleanup, health checks, queue stats, reconciliation, backups',
    concurrency: 2,
    attempts: 3,
    maxAttempts: 3,
    backoff: { type: 'exponential', delayMs: 30_000 },
    timeoutMs: 10 * 60_000,
    maxTimeoutMs: 2 * 60 * 60_000,
    backlogLimit: 1_000,
    keepCompleted: 500,
    keepFailed: 500,
    expectedDurationMs: 5_000,
  },
];
