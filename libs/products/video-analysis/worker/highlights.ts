import { SignalWindow } from './signals';

export interface Highlight {
  start_seconds: number;
  end_seconds: number;
  /** The strongest signal's z-score over the video's own baseline (summed when several stand out). */
  score: number;
  /** Which signals stood out: `loudness`, `chat`, `sentiment`. */
  reasons: string[];
}

/** A window stands out when a signal is this many standard deviations above the video's mean. */
export const STAND_OUT_Z = 1.5;

/**
 * Windows where loudness, chat rate or sentiment intensity stand out against the video's own
 * baseline (z-scores over all windows), adjacent ones merged, ranked by score, at most `max`.
 * A signal that never varies (no chat, no transcript) stands out nowhere, so audio alone works.
 */
export function findHighlights(windows: SignalWindow[], max: number): Highlight[] {
  const z = {
    loudness: zScores(windows.map((w) => w.loudness_db)),
    chat: zScores(windows.map((w) => w.chat_messages)),
    sentiment: zScores(windows.map((w) => w.sentiment_intensity)),
  };
  const marked = windows.map((w, i) => {
    const reasons = (Object.keys(z) as Array<keyof typeof z>).filter((k) => z[k][i] >= STAND_OUT_Z);
    const score = reasons.reduce((sum, k) => sum + z[k][i], 0);
    return { window: w, reasons, score };
  });
  const merged: Highlight[] = [];
  for (const { window, reasons, score } of marked) {
    if (reasons.length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.end_seconds >= window.start_seconds) {
      last.end_seconds = window.end_seconds;
      last.score = Math.max(last.score, round(score));
      last.reasons = [...new Set([...last.reasons, ...reasons])];
    } else {
      merged.push({ start_seconds: window.start_seconds, end_seconds: window.end_seconds, score: round(score), reasons });
    }
  }
  return merged.sort((a, b) => b.score - a.score || a.start_seconds - b.start_seconds).slice(0, max);
}

/** Each value's distance from the mean in standard deviations; all 0 when the values never vary. */
export function zScores(values: number[]): number[] {
  if (values.length === 0) return [];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return sd < 1e-9 ? values.map(() => 0) : values.map((v) => (v - mean) / sd);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
