import { Presets, SingleBar } from 'cli-progress';

/** How `watch` shows progress: a live bar on a terminal, one line per change in a log, or nothing. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface ProgressDisplay {
  update(percent: number, status: string, step: string | null): void;
  stop(): void;
}

/** On stderr, so stdout keeps only the result. */
export function progressDisplay(mode: ProgressMode): ProgressDisplay {
  const chosen = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (chosen === 'bar') return new BarDisplay();
  if (chosen === 'lines') return new LineDisplay();
  return { update: () => undefined, stop: () => undefined };
}

class BarDisplay implements ProgressDisplay {
  private readonly bar = new SingleBar(
    {
      format: ' {bar} {percentage}% | {status} | {step}',
      hideCursor: true,
      // Drawn even when stderr is not a terminal (--progress bar in a log or a test).
      noTTYOutput: true,
      notTTYSchedule: 250,
    },
    Presets.shades_classic,
  );
  private started = false;

  update(percent: number, status: string, step: string | null): void {
    const payload = { status, step: step ?? '-' };
    if (!this.started) {
      this.started = true;
      this.bar.start(100, percent, payload);
    } else {
      this.bar.update(percent, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class LineDisplay implements ProgressDisplay {
  private last = '';

  update(percent: number, status: string, step: string | null): void {
    const line = `${String(Math.round(percent)).padStart(3)}%  ${status}${step ? `  ${step}` : ''}`;
    if (line !== this.last) process.stderr.write(`${line}\n`);
    this.last = line;
  }

  stop(): void {}
}
