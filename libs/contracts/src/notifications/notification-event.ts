import { FlowStatus } from '../flows/flow-status';
import { JobStatus } from '../job-status';
import { WebhookEvent } from '../webhooks';

/** What a notification reports: a long job's end, or a flow's end. */
export enum NotificationEvent {
  JobCompleted = 'job.completed',
  JobFailed = 'job.failed',
  FlowCompleted = 'flow.completed',
  FlowFailed = 'flow.failed',
  FlowCancelled = 'flow.cancelled',
}

/** What settings that name no events subscribe to: every event. */
export const ALL_NOTIFICATION_EVENTS: readonly NotificationEvent[] = Object.values(NotificationEvent);

/** A job's end as an event; none for a cancel (its owner asked for it) or a status that is no end. */
export function jobEndEvent(status: JobStatus): NotificationEvent | undefined {
  if (status === JobStatus.Completed) return NotificationEvent.JobCompleted;
  if (status === JobStatus.Failed) return NotificationEvent.JobFailed;
  return undefined;
}

/** A flow's end as an event; none while it runs. */
export function flowEndEvent(status: FlowStatus): NotificationEvent | undefined {
  const events: Record<FlowStatus, NotificationEvent | undefined> = {
    running: undefined,
    completed: NotificationEvent.FlowCompleted,
    failed: NotificationEvent.FlowFailed,
    cancelled: NotificationEvent.FlowCancelled,
  };
  return events[status];
}

/** The outcome a notification's delivery attempts are recorded under (deliveries know job outcomes only). */
export function deliveryEventOf(event: NotificationEvent): WebhookEvent {
  if (event === NotificationEvent.JobFailed || event === NotificationEvent.FlowFailed) return WebhookEvent.Failed;
  if (event === NotificationEvent.FlowCancelled) return WebhookEvent.Cancelled;
  return WebhookEvent.Completed;
}
