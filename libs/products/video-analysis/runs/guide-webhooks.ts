import { Injectable } from '@nestjs/common';
import { WebhookEvent } from '@conveyor/contracts';
import { WebhookNotifier } from '@conveyor/queueing';
import { VideoAnalysisPayload } from '../contracts';

/** One moment of a job as seed 002's webhooks report it. */
export interface GuideProgress {
  jobId: string;
  payload: VideoAnalysisPayload;
  /** In the guide's words: processing, completed, failed, cancelled. */
  status: string;
  percentage: number;
  stage: string;
  estimatedCompletionSeconds: number | null;
}

/**
 * Seed 002's webhooks: `{ job_id, video_id, status, progress: { percentage, current_stage,
 * estimated_completion_seconds }, timestamp }` to the job's `callback_url`, with
 * `Authorization: Bearer <callback_token>` when it has one. Delivered like every Conveyor
 * webhook (signed, 10 s timeout, retried with backoff, recorded); `key` makes each report one
 * delivery however often it is sent.
 */
@Injectable()
export class GuideWebhooks {
  constructor(private readonly notifier: WebhookNotifier) {}

  async send(progress: GuideProgress, event: WebhookEvent, key: string): Promise<void> {
    const { payload } = progress;
    if (!payload.callback_url) return;
    await this.notifier.deliver({
      jobId: progress.jobId,
      event,
      url: payload.callback_url,
      key,
      body: {
        job_id: progress.jobId,
        video_id: payload.video_id,
        status: progress.status,
        progress: {
          percentage: progress.percentage,
          current_stage: progress.stage,
          estimated_completion_seconds: progress.estimatedCompletionSeconds,
        },
        timestamp: new Date().toISOString(),
      },
      ...(payload.callback_token !== undefined ? { bearer: payload.callback_token } : {}),
    });
  }
}
