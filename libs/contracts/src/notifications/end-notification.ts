import { derivedUuid } from '../derived-uuid';
import { JobStatus } from '../job-status';
import { jobEndEvent } from './notification-event';

/** The job type of notifications themselves (job-types/send-notification.job.ts): their ends never notify. */
export const SEND_NOTIFICATION_TYPE = 'send-notification';

/** A run a worker ended, as far as notifications need it. */
export interface RunEnd {
  type: string;
  /** A child or continuation of a flow: its flow notifies once for all of it. */
  inFlow: boolean;
  status: JobStatus;
  /** When the attempt that ended the run started, and when it ended. */
  startedAt: Date;
  finishedAt: Date;
}

/**
 * Whether a run's end is a long job's, which notifies: completed or failed, its last attempt ran at
 * least `minSeconds`, not a job inside a flow, and not a notification itself (or each would beget
 * the next).
 */
export function isLongJobEnd(end: RunEnd, minSeconds: number): boolean {
  if (end.inFlow || end.type === SEND_NOTIFICATION_TYPE || !jobEndEvent(end.status)) return false;
  return end.finishedAt.getTime() - end.startedAt.getTime() >= minSeconds * 1000;
}

/**
 * The send-notification job of one run's end: the same for the same job and run, so an end told
 * twice (a redelivered job, two workers) is one record, one Bull job, one POST.
 */
export function jobEndNotificationId(jobId: string, run: number): string {
  return derivedUuid(`conveyor-notification\njob\n${jobId}\n${run}`);
}

/**
 * The send-notification job of one flow's end. `runs` (the runs of all its jobs, summed) is the
 * same however often that end is seen, and moves on when a flow retry runs part of it again, so
 * the retried flow's next end notifies again.
 */
export function flowEndNotificationId(rootId: string, runs: number): string {
  return derivedUuid(`conveyor-notification\nflow\n${rootId}\n${runs}`);
}
