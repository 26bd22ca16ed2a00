import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  FlowStatus,
  JobStatus,
  Owner,
  RunEnd,
  SEND_NOTIFICATION_TYPE,
  SendNotificationPayload,
  flowEndEvent,
  flowEndNotificationId,
  isLongJobEnd,
  jobEndEvent,
  jobEndNotificationId,
  errorField,
} from '@conveyor/contracts';
import { JobProducer } from '../job-producer.service';
import { withTimeout } from '../with-timeout';
import { NOTIFICATION_SETTINGS, NotificationSettingsConfig } from './notification.settings';

/** Who owns send-notification jobs: the platform, so owners' job lists stay theirs and the service URL stays private. */
export const NOTIFICATIONS_OWNER: Owner = { kind: 'service', id: 'notifications' };

/** Longest an end waits for its notification to be enqueued; past it the end goes ahead without it. */
export const NOTIFICATION_ENQUEUE_TIMEOUT_MS = 5_000;

/** A run a worker ended, with what its notification needs. */
export interface EndedRun extends RunEnd {
  jobId: string;
  run: number;
  ownerKey: string;
}

/** A flow that has ended, as FlowEnds saw it. */
export interface EndedFlow {
  rootId: string;
  rootType: string;
  rootStatus: JobStatus;
  ownerKey: string;
  status: Exclude<FlowStatus, 'running'>;
  counts: Record<string, number>;
  total: number;
  /** The runs of every job of the flow, summed: which end of the flow this is. */
  runs: number;
}

/**
 * Turns ends into send-notification jobs: a long job's run (isLongJobEnd) and every flow's end.
 * Each job's id derives from the end, and is recorded before it is enqueued, so an end seen twice
 * notifies once. Where it goes is decided when it runs (its handler), never here.
 */
@Injectable()
export class EndNotifications {
  private readonly logger = new Logger(EndNotifications.name);

  constructor(
    private readonly producer: JobProducer,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettingsConfig,
  ) {}

  /** After a worker ended a run; a no-op unless it was a long job's. Never rejects. */
  async jobEnded(end: EndedRun): Promise<void> {
    const event = jobEndEvent(end.status);
    if (!event || !isLongJobEnd(end, this.settings.minJobSeconds)) return;
    await this.enqueue(jobEndNotificationId(end.jobId, end.run), {
      event,
      ownerKey: end.ownerKey,
      jobId: end.jobId,
      type: end.type,
      status: end.status,
      finishedAt: end.finishedAt.toISOString(),
    });
  }

  /** After FlowEnds saw a flow end. Never rejects. */
  async flowEnded(flow: EndedFlow): Promise<void> {
    await this.enqueue(flowEndNotificationId(flow.rootId, flow.runs), {
      event: flowEndEvent(flow.status)!,
      ownerKey: flow.ownerKey,
      jobId: flow.rootId,
      type: flow.rootType,
      status: flow.rootStatus,
      flow: { status: flow.status, counts: flow.counts, total: flow.total },
      finishedAt: new Date().toISOString(),
    });
  }

  private async enqueue(jobId: string, payload: SendNotificationPayload): Promise<void> {
    const submission = { owner: NOTIFICATIONS_OWNER, jobId, input: { type: SEND_NOTIFICATION_TYPE, data: payload } };
    try {
      await withTimeout(this.producer.submitOnce(submission), NOTIFICATION_ENQUEUE_TIMEOUT_MS);
    } catch (error) {
      // Deliberately swallowed, as a webhook's enqueue is: the end is recorded already and must
      // reach Bull and its client whether or not its notification could be enqueued. Logged here.
      this.logger.error(errorField(error), `Could not enqueue notification ${jobId} (${payload.event} of job ${payload.jobId})`);
    }
  }
}
