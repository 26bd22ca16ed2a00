import { Logger } from '@nestjs/common';
import { JobProgress, messageOf } from '@conveyor/contracts';

/** How long an attempt runs before its progress is written to Bull at all. */
export const PROGRESS_LINGER_MS = 100;

/** Where an attempt's live progress goes: Bull's job (`job.progress`), read by job reads and event streams. */
export type ProgressTarget = (progress: JobProgress) => Promise<unknown>;

/**
 * Bull's copy of one running attempt's progress. Writes in the attempt's first PROGRESS_LINGER_MS
 * wait and fold into one at its end: an attempt that finishes sooner writes none (for a short job
 * that was four of its Redis commands and a round trip before its first step), while a longer one
 * shows its step from then on. Later writes go straight through and are awaited.
 */
export class LiveProgress {
  private readonly logger = new Logger(LiveProgress.name);
  private latest?: JobProgress;
  private timer?: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly target: ProgressTarget,
    private readonly startedAt: number,
  ) {}

  async update(progress: JobProgress): Promise<void> {
    if (this.ended) return;
    const wait = this.startedAt + PROGRESS_LINGER_MS - Date.now();
    if (wait <= 0 && !this.timer) {
      await this.target(progress);
      return;
    }
    this.latest = progress;
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, wait));
  }

  /** The attempt is over: nothing more is written for it. */
  end(): void {
    this.ended = true;
    clearTimeout(this.timer);
  }

  private flush(): void {
    this.timer = undefined;
    const progress = this.latest;
    this.latest = undefined;
    if (!progress || this.ended) return;
    this.target(progress).catch((error: unknown) => this.logger.warn(`Live progress not written: ${messageOf(error)}`));
  }
}
