import { Logger } from '@nestjs/common';
import { errorField } from '@conveyor/contracts';

const DEFAULT_STOP_WAIT_MS = 5_000;

export interface PeriodicLoopOptions {
  /** What the loop does, for its error log line ("Reconcile sweep", "Scheduler tick"). */
  what: string;
  /** Start to start: a step that took part of the period shortens the wait for the next one. */
  periodMs: number;
  step: () => Promise<unknown>;
  logger: Logger;
  /** Longest `stop()` waits for a step in progress (default 5 s). */
  stopWaitMs?: number;
}

/**
 * Runs `step` every `periodMs` until stopped, one step at a time (a slow step delays the next
 * rather than overlapping it). A failed step is logged and the loop goes on. Its timer does not
 * keep the process alive.
 */
export class PeriodicLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(private readonly options: PeriodicLoopOptions) {}

  /** The first step comes one period after the start. */
  start(): void {
    this.arm(this.options.periodMs);
  }

  /** True once `stop()` was called: a long step checks it to end early. */
  get isStopped(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise((resolve) => (timer = setTimeout(resolve, this.options.stopWaitMs ?? DEFAULT_STOP_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    const { what, periodMs, step, logger } = this.options;
    this.timer = setTimeout(() => {
      const startedAt = Date.now();
      this.running = step()
        .catch((error: unknown) => logger.error(errorField(error), `${what} failed`))
        .finally(() => {
          this.running = undefined;
          this.arm(Math.max(0, periodMs - (Date.now() - startedAt)));
        });
    }, delayMs);
    this.timer.unref();
  }
}
