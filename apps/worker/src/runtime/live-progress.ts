import { Logger } from '@nestjs/common';
import { JobProgress, errorField } from '@conveyor/contracts';

/** How long an attempt runs before its progress is written to Bull at all. */
export const PROGRESS_LINGER_MS = 100;

/** Where an attempt's live progress goes: Bull's job (`job.progress`), read by job reads and event streams. */
export type ProgressTarget = (progress: JobProgress) => Promise<unknown>;

/**
 * Bull's copy of one running attempt's progress. Writes in the attempt's first PROGRESS_LINGER_MS
 * are held back: an attempt that finishes sooner writes none (for a short job that was four of
 * its Redis commands and a round trip before its first step), while a longer one then writes
 * them in order, so event streams still see every step it entered (within one step, only the
 * latest fraction). Later writes follow in order and are awaited.
 */
export class LiveProgress {
  private readonly logger = new Logger(LiveProgress.name);
  private held: JobProgress[] = [];
  private timer?: NodeJS.Timeout;
  /** The writes so far, in order. */
  private written: Promise<unknown> = Promise.resolve();
  private ended = false;
  /** Set once the held writes went out (timers may fire a little early by the wall clock). */
  private lingerOver = false;

  constructor(
    private readonly target: ProgressTarget,
    private readonly startedAt: number,
  ) {}

  async update(progress: JobProgress): Promise<void> {
    if (this.ended) return;
    const wait = this.startedAt + PROGRESS_LINGER_MS - Date.now();
    if (!this.lingerOver && wait > 0) {
      // A newer fraction of the same step replaces the held one; a new step is kept as well.
      if (this.held.at(-1)?.step === progress.step) this.held[this.held.length - 1] = progress;
      else this.held.push(progress);
      this.timer ??= setTimeout(() => this.release(), wait);
      return;
    }
    this.release();
    await this.write(progress);
  }

  /** The attempt is over: nothing more is written for it. */
  end(): void {
    this.ended = true;
    this.held = [];
    clearTimeout(this.timer);
  }

  /** Writes what was held back, once the linger is over. */
  private release(): void {
    this.lingerOver = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    this.held = [];
    for (const progress of held) {
      this.write(progress).catch((error: unknown) => this.logger.warn(errorField(error), 'Live progress not written'));
    }
  }

  private write(progress: JobProgress): Promise<unknown> {
    this.written = this.written.catch(() => undefined).then(() => (this.ended ? undefined : this.target(progress)));
    return this.written;
  }
}
