import { WebhookEvent, progressPercent } from '@conveyor/contracts';
import { JobContext } from '@conveyor/job-runtime';
import { VideoAnalysisPayload, estimateCompletionSeconds, guideStage, videoAnalysisJob } from '../contracts';
import { GuideWebhooks } from '../runs';

/**
 * The progress webhooks of one attempt (seed 002): one at each stage change, one every
 * `intervalMs` while processing, one when it completes. Does nothing for a job without a
 * `callback_url`. Sending never fails the job (WebhookNotifier never rejects).
 */
export class GuideProgressReporter {
  private stageIndex = -1;
  private fraction = 0;
  private ticks = 0;
  private timer?: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(
    private readonly webhooks: GuideWebhooks,
    private readonly ctx: JobContext<VideoAnalysisPayload>,
    private readonly intervalMs: number,
  ) {}

  private get enabled(): boolean {
    return this.ctx.payload.callback_url !== undefined;
  }

  start(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.send(WebhookEvent.Progress, `tick:${++this.ticks}`), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async enter(stage: string): Promise<void> {
    const before = guideStage(this.stageIndex < 0 ? null : videoAnalysisJob.steps[this.stageIndex].name);
    this.stageIndex = videoAnalysisJob.steps.findIndex((s) => s.name === stage);
    this.fraction = 0;
    // A stage change as the guide counts stages (saving continues Finding Highlights).
    if (this.enabled && guideStage(stage) !== before) await this.send(WebhookEvent.Progress, `stage:${stage}`);
  }

  within(fraction: number): void {
    this.fraction = fraction;
  }

  async completed(): Promise<void> {
    this.stop();
    if (!this.enabled) return;
    await this.webhooks.send(
      {
        jobId: this.ctx.jobId,
        payload: this.ctx.payload,
        status: 'completed',
        percentage: 100,
        stage: 'Completed',
        estimatedCompletionSeconds: 0,
      },
      WebhookEvent.Completed,
      `${this.ctx.run}:completed`,
    );
  }

  private get percentage(): number {
    return this.stageIndex < 0 ? 0 : progressPercent(videoAnalysisJob.steps, this.stageIndex, this.fraction);
  }

  private async send(event: WebhookEvent, what: string): Promise<void> {
    const stage = guideStage(this.stageIndex < 0 ? null : videoAnalysisJob.steps[this.stageIndex].name);
    await this.webhooks.send(
      {
        jobId: this.ctx.jobId,
        payload: this.ctx.payload,
        status: 'processing',
        percentage: this.percentage,
        stage,
        estimatedCompletionSeconds: estimateCompletionSeconds(this.percentage, this.startedAt),
      },
      event,
      `${this.ctx.run}:${this.ctx.attempt}:${what}`,
    );
  }
}
