/** Job events a caller can ask to be told about by webhook (`callbackEvents`). */
export enum WebhookEvent {
  Progress = 'progress',
  Completed = 'completed',
  Failed = 'failed',
  Cancelled = 'cancelled',
}

/** Default: the outcomes only; progress deliveries are opt-in (one per step). */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = [WebhookEvent.Completed, WebhookEvent.Failed, WebhookEvent.Cancelled];

/** Where and how a job's webhooks go; kept on the job's record and its Bull envelope. */
export interface JobCallback {
  url: string;
  events: WebhookEvent[];
  /** The caller's own signing secret; absent → the service's WEBHOOK_SIGNING_SECRET. Never shown. */
  secret?: string;
}
