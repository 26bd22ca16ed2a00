import { Injectable } from '@nestjs/common';
import { DataCipher, WebhookEvent } from '@conveyor/contracts';
import { JobsRepository } from '@conveyor/database';
import { RunEnded, RunHook, RunHookFor } from '@conveyor/queueing';
import { VIDEO_ANALYSIS, VideoAnalysisPayload, guideStage } from '../contracts';
import { GuideWebhooks } from './guide-webhooks';

/**
 * The guide's final webhook of a run that failed for good or was cancelled, from whichever app
 * ended it (the worker, or the API cancelling a queued job). A completed run's is sent by its handler.
 */
@RunHookFor(VIDEO_ANALYSIS)
@Injectable()
export class VideoRunHooks implements RunHook {
  constructor(
    private readonly webhooks: GuideWebhooks,
    private readonly jobs: JobsRepository,
    private readonly cipher: DataCipher,
  ) {}

  async runEnded({ jobId, run, outcome, payload, progress }: RunEnded): Promise<void> {
    if (outcome !== 'failed' && outcome !== 'cancelled') return;
    const record = await this.jobs.findByIdUnscoped(jobId);
    const data = (payload ?? (record ? this.cipher.open(record.data, jobId) : undefined)) as VideoAnalysisPayload | undefined;
    if (!data?.callback_url) return;
    await this.webhooks.send(
      {
        jobId,
        payload: data,
        status: outcome,
        percentage: progress?.percent ?? 0,
        stage: guideStage(progress?.step),
        estimatedCompletionSeconds: null,
      },
      outcome === 'failed' ? WebhookEvent.Failed : WebhookEvent.Cancelled,
      `${run}:${outcome}`,
    );
  }
}
