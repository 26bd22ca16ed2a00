import { createHmac, timingSafeEqual } from 'node:crypto';
import { derivedUuid } from './derived-uuid';
import { JobStatus } from './job-status';
import { JobProgress } from './progress';
import { StatusVocabulary, cancelledError, statusWord } from './status-vocabulary';
import { JobCallback, WebhookEvent } from './webhooks';

/** Headers of every webhook POST (lower case, as Node reports them). */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** The signature scheme's version tag: `Webhook-Signature: v1,<base64 HMAC-SHA256>` (Standard Webhooks). */
export const WEBHOOK_SIGNATURE_VERSION = 'v1';

/** Standard Webhooks' prefix of a base64 secret: `whsec_<base64 key>`. */
const STANDARD_SECRET_PREFIX = 'whsec_';

/** The JSON body of a webhook. */
export interface WebhookPayload {
  event: WebhookEvent;
  jobId: string;
  /** In the job type's own words (StatusVocabulary); Conveyor's unless the type has one. */
  status: string;
  /** The status in Conveyor's words, whatever the job type. */
  conveyorStatus: JobStatus;
  /** Percent, 0–100. */
  progress: number;
  /** The running step (progress events), else null. */
  step: string | null;
  /** `completed` only: what the job returned. */
  result?: unknown;
  /** `failed`: the last attempt's error; `cancelled`, for a type whose words fold it into another status: its cancellation error. */
  error?: { message: string; code: string };
  /** When the event happened (ISO-8601); the same in every attempt of a delivery. */
  timestamp: string;
}

/** A product's webhook body in its seed's shape (e.g. seed 002's `{ job_id, video_id, status, progress, timestamp }`). */
export type ProductWebhookBody = Record<string, unknown>;

/** A product's own webhook about one of its jobs: the input of WebhookNotifier.deliver. */
export interface ProductWebhook {
  jobId: string;
  event: WebhookEvent;
  url: string;
  /** Unique per thing reported within the job (e.g. `1:progress:3`); the delivery id derives from it. */
  key: string;
  body: ProductWebhookBody;
  /** Plaintext here; sealed for the job before it waits in Redis. */
  bearer?: string;
  /** The receiver's own signing secret (plaintext here, sealed like `bearer`); absent → WEBHOOK_SIGNING_SECRET. */
  secret?: string;
}

/** What a job looked like when an event happened: the input of WebhookNotifier.notify. */
export interface WebhookSubject {
  jobId: string;
  /** The job's type: its status vocabulary words the payload's `status`. */
  type?: string;
  /** The job's callback (from its record or its Bull envelope); none → nothing is delivered. */
  callback: JobCallback | null | undefined;
  status: JobStatus;
  progress: JobProgress;
  /** The job's run (1 unless the finished job was retried); part of the delivery id. Default 1. */
  run?: number;
  /** The attempt a progress event belongs to; part of its delivery id. Default 1. */
  attempt?: number;
  result?: unknown;
  error?: { message: string; code: string } | null;
}

/** The data of a Bull job on the webhooks queue: one delivery, sent once per attempt. */
export interface WebhookDelivery {
  /** Sent as `Webhook-Id`; the same in every attempt, so receivers can drop duplicates. */
  deliveryId: string;
  jobId: string;
  event: WebhookEvent;
  url: string;
  /** The callback's own secret, sealed for the job; absent → the worker's WEBHOOK_SIGNING_SECRET. */
  secret?: string;
  /**
   * Sent as `Authorization: Bearer …`, sealed for the job: a product's callback token (seed 002).
   * A delivery with one is sent unsigned when there is no secret to sign with.
   */
  bearer?: string;
  /** Conveyor's body, or a product's own (ProductWebhookBody) for a product's callbacks. */
  payload: WebhookPayload | ProductWebhookBody;
  /** Each attempt's time limit: the `webhooks` queue's effective timeout when it was enqueued. */
  timeoutMs?: number;
}

/**
 * A delivery's id, derived from what it reports (job, run, event; attempt and step for progress)
 * and formatted as a UUID (RFC 9562 version 8). The same event reported twice, e.g. by a job a
 * stalled worker left behind and another worker re-ran, gets the same id: Bull does not add a job
 * whose id exists, and receivers can drop what slips through by `Webhook-Id`.
 */
/** The delivery id of a product's webhook: derived from its job and key, so a repeat is one delivery. */
export function productWebhookDeliveryId(jobId: string, key: string): string {
  return derivedUuid(`conveyor-product-webhook\n${jobId}\n${key}`);
}

export function webhookDeliveryId(subject: Pick<WebhookSubject, 'jobId' | 'run' | 'attempt' | 'progress'>, event: WebhookEvent): string {
  const parts = [subject.jobId, String(subject.run ?? 1), event];
  if (event === WebhookEvent.Progress) parts.push(String(subject.attempt ?? 1), subject.progress.step ?? '');
  return derivedUuid(`conveyor-webhook\n${parts.join('\n')}`);
}

/**
 * The body of the webhook reporting `event` about `subject`. Result and error only where they
 * belong. `vocabulary`: the job type's status words, when it has its own (StatusVocabulary); a
 * cancelled job it reports under another word carries the vocabulary's cancellation error.
 */
export function webhookPayload(subject: WebhookSubject, event: WebhookEvent, at: Date, vocabulary?: StatusVocabulary): WebhookPayload {
  const cancelled = event === WebhookEvent.Cancelled ? cancelledError(vocabulary) : undefined;
  const error = event === WebhookEvent.Failed && subject.error ? { message: subject.error.message, code: subject.error.code } : cancelled;
  return {
    event,
    jobId: subject.jobId,
    status: statusWord(subject.status, vocabulary),
    conveyorStatus: subject.status,
    progress: subject.progress.percent,
    step: subject.progress.step,
    ...(event === WebhookEvent.Completed ? { result: subject.result ?? null } : {}),
    ...(error ? { error } : {}),
    timestamp: at.toISOString(),
  };
}

/**
 * Why a secret cannot sign, if it cannot: a `whsec_` secret must be canonical base64 of 24 to 64
 * bytes (a lenient decoding could leave an empty or short key anyone could forge with).
 */
export function webhookSecretProblem(secret: string): string | undefined {
  if (typeof secret !== 'string' || !secret.startsWith(STANDARD_SECRET_PREFIX)) return undefined;
  const encoded = secret.slice(STANDARD_SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.toString('base64') !== encoded || key.length < 24 || key.length > 64)
    return 'a whsec_ secret must be whsec_ followed by canonical base64 of 24 to 64 bytes';
  return undefined;
}

/**
 * Why a caller's own signing secret (a job's `callbackSecret`, notification settings' `secret`)
 * cannot be taken, named after the field: one that cannot sign, or none while the service has no
 * WEBHOOK_SIGNING_SECRET to sign with. `null` is none, as a secret left out.
 */
export function signingSecretRefusal(
  field: string,
  secret: string | null | undefined,
  serviceSecret: string | undefined,
): string | undefined {
  if (secret === undefined || secret === null) {
    return serviceSecret === undefined ? `${field} is required: this service has no WEBHOOK_SIGNING_SECRET to sign with` : undefined;
  }
  const problem = webhookSecretProblem(secret);
  return problem && `${field}: ${problem}`;
}

/**
 * The HMAC key of a secret, as Standard Webhooks reads it: a valid `whsec_<base64>` secret is its
 * decoded bytes; any other secret (ours have always been free text) its UTF-8 bytes, which the
 * standard verifiers take as a raw key (`new TextEncoder().encode(secret)`, `format: "raw"`).
 */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith(STANDARD_SECRET_PREFIX) && webhookSecretProblem(secret) === undefined
    ? Buffer.from(secret.slice(STANDARD_SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

function hmac(key: Buffer, webhookId: string, timestamp: number, body: string): string {
  return createHmac('sha256', key).update(`${webhookId}.${timestamp}.${body}`, 'utf8').digest('base64');
}

/**
 * `Webhook-Signature` of one attempt, as Standard Webhooks specifies it: `v1,` + base64 of
 * HMAC-SHA256 (webhookKey) over `${webhookId}.${webhookTimestamp}.${body}` (the exact body bytes
 * sent). `legacy` also sends the form Conveyor sent before, `v1=` keyed with the secret's UTF-8
 * bytes as it always was, after it and a space (the standard allows several signatures), so
 * receivers move over while both are sent.
 */
export function signWebhook(secret: string, webhookId: string, timestamp: number, body: string, { legacy = false } = {}): string {
  const standard = `${WEBHOOK_SIGNATURE_VERSION},${hmac(webhookKey(secret), webhookId, timestamp, body)}`;
  if (!legacy) return standard;
  return `${standard} ${WEBHOOK_SIGNATURE_VERSION}=${hmac(Buffer.from(secret, 'utf8'), webhookId, timestamp, body)}`;
}

/**
 * What a receiver does (and the tests do): recompute the signature and compare in constant time,
 * refusing timestamps more than `toleranceSeconds` away (replays). The header may carry several
 * space-separated signatures (e.g. during a secret rotation); one match is enough.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  webhookId: string;
  timestamp: string;
  body: string;
  signatureHeader: string;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): boolean {
  const timestamp = Number(input.timestamp);
  if (!/^\d{1,12}$/.test(input.timestamp)) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  // `v1,<mac>` (standard key) or `v1=<mac>` (Conveyor's older form, the UTF-8 key).
  const expected = {
    ',': Buffer.from(hmac(webhookKey(input.secret), input.webhookId, timestamp, input.body)),
    '=': Buffer.from(hmac(Buffer.from(input.secret, 'utf8'), input.webhookId, timestamp, input.body)),
  };
  return input.signatureHeader.split(' ').some((candidate) => {
    const match = /^v1([,=])(.+)$/.exec(candidate.trim());
    if (!match) return false;
    const mac = Buffer.from(match[2]);
    const want = expected[match[1] as ',' | '='];
    return mac.length === want.length && timingSafeEqual(mac, want);
  });
}
