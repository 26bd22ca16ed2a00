import { FlowStatus } from '../flows/flow-status';
import { SendNotificationPayload } from '../job-types/send-notification.job';
import { NotificationEvent } from './notification-event';

/** The JSON body of a notification POST (README, "Notifications"). */
export interface NotificationBody {
  event: NotificationEvent;
  /** The job that ended; a flow's root for flow events. */
  jobId: string;
  type: string;
  /** The job's status in Conveyor's words (a flow: its root's). */
  status: string;
  /** Flow events only. */
  flow?: { status: FlowStatus; counts: Record<string, number>; total: number };
  finishedAt: string;
  /** API paths to read more (relative to the API's base URL); `flow` is null for a job event. */
  links: { job: string; flow: string | null };
}

export function notificationBody(payload: SendNotificationPayload): NotificationBody {
  const job = `/api/v1/jobs/${encodeURIComponent(payload.jobId)}`;
  return {
    event: payload.event,
    jobId: payload.jobId,
    type: payload.type,
    status: payload.status,
    ...(payload.flow ? { flow: { status: payload.flow.status, counts: payload.flow.counts, total: payload.flow.total } } : {}),
    finishedAt: payload.finishedAt,
    links: { job, flow: payload.flow ? `${job}/flow` : null },
  };
}
