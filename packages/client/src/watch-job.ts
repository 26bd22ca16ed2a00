import { ConveyorApiError } from './api-error';
import type { JobProgressEvent, JobView } from './api-types';
import { EventStreamParser, ServerSentEvent } from './event-stream';

/** The last event of a job's stream: `completed`, `failed`, `cancelled` (or the type's own word), with the final job view. */
export interface JobFinalEvent extends ServerSentEvent {
  data: JobView;
}

export interface WatchJobOptions {
  /** Resume after this event id (as a reconnect does). */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Reconnects in a row that may fail or end without an event before giving up; default 5. */
  maxReconnects?: number;
  /** Wait before reconnecting; default what the server asked for (`retry:`), else 3 s. */
  reconnectDelayMs?: number;
  /** Told before each reconnect (the stream dropped before the final event). */
  onReconnect?: (attempt: number, lastEventId: string | undefined) => void;
}

/** Where and as whom to open the stream. */
export interface StreamConnection {
  baseUrl: string;
  headers: Record<string, string>;
  fetch?: typeof fetch;
}

/** Events that never end a stream; any other name carrying a job view is the final event. */
const PASSING_EVENTS = new Set(['snapshot', 'status', 'progress', 'flow', 'reconnect', 'message']);
/** Gateways in front of the API answer these while it restarts: worth reconnecting. */
const PASSING_STATUSES = new Set([502, 503, 504]);
const DEFAULT_RECONNECT_MS = 3_000;

export function isFinalEvent(event: ServerSentEvent): event is JobFinalEvent {
  return !PASSING_EVENTS.has(event.event) && isJobView(event.data);
}

export function isProgressEvent(event: ServerSentEvent): event is ServerSentEvent & { data: JobProgressEvent } {
  return event.event === 'progress' && typeof (event.data as Partial<JobProgressEvent> | null)?.percent === 'number';
}

/** `snapshot` and `status` events carry the job view. */
export function isViewEvent(event: ServerSentEvent): event is ServerSentEvent & { data: JobView } {
  return (event.event === 'snapshot' || event.event === 'status') && isJobView(event.data);
}

/**
 * Follows GET /api/v1/jobs/:jobId/events, calling `onEvent` for every event, and resolves with the
 * final one. A stream that ends or breaks before it is reopened with `Last-Event-ID` (the server
 * then sends a fresh snapshot, and the final event at once if the job ended meanwhile). An error
 * answer (404, 429, …) rejects with a ConveyorApiError.
 */
export async function watchJob(
  connection: StreamConnection,
  jobId: string,
  onEvent: (event: ServerSentEvent) => void,
  options: WatchJobOptions = {},
): Promise<JobFinalEvent> {
  const url = `${connection.baseUrl}/api/v1/jobs/${encodeURIComponent(jobId)}/events`;
  const fetchStream = connection.fetch ?? fetch;
  const maxReconnects = options.maxReconnects ?? 5;
  let lastEventId = options.lastEventId;
  let serverRetryMs: number | undefined;
  let failures = 0;
  for (;;) {
    const parser = new EventStreamParser();
    let delivered = false;
    const response = await fetchStream(url, {
      headers: { ...connection.headers, accept: 'text/event-stream', ...(lastEventId !== undefined && { 'last-event-id': lastEventId }) },
      signal: options.signal,
    }).catch((error: unknown) => dropped(error, options.signal));
    if (response && !response.ok && !PASSING_STATUSES.has(response.status)) {
      throw ConveyorApiError.fromAnswer(response.status, await bodyOf(response), response.statusText);
    }
    if (response?.ok && response.body) {
      for await (const event of eventsOf(response.body, parser, options.signal)) {
        delivered = true;
        if (event.id !== undefined) lastEventId = event.id;
        onEvent(event);
        // Leaving the loop cancels the body, which closes the connection.
        if (isFinalEvent(event)) return event;
      }
    }
    serverRetryMs = parser.retryMs ?? serverRetryMs;
    failures = delivered ? 1 : failures + 1;
    if (failures > maxReconnects) {
      throw new Error(`The event stream of job ${jobId} ended ${failures} times in a row before its final event`);
    }
    options.onReconnect?.(failures, lastEventId);
    await sleep(options.reconnectDelayMs ?? serverRetryMs ?? DEFAULT_RECONNECT_MS, options.signal);
  }
}

/**
 * The events of one connection until it ends or breaks. Only reading is guarded here: an error
 * thrown by the caller's onEvent is not a dropped connection, and reaches the caller.
 */
async function* eventsOf(body: ReadableStream<Uint8Array>, parser: EventStreamParser, signal?: AbortSignal) {
  try {
    for await (const chunk of body.pipeThrough(new TextDecoderStream())) yield* parser.push(chunk);
  } catch (error) {
    dropped(error, signal);
  }
}

/** A connection that failed or broke: worth reconnecting, unless the caller aborted. */
function dropped(error: unknown, signal?: AbortSignal): undefined {
  if (signal?.aborted) throw error;
  return undefined;
}

function isJobView(data: unknown): data is JobView {
  return typeof (data as Partial<JobView> | null)?.conveyorStatus === 'string';
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
