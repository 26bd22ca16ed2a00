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
/** No signal counts for more than this: one odd chat line in an hour of silence must not outrank a real peak. */
const MAX_Z = 4;
/** What a window needs at least before its chat or sentiment can stand out at all. */
const MIN_CHAT_MESSAGES = 3;
const MIN_SENTIMENT_INTENSITY = 4;

/**
 * Windows where loudness, chat rate or sentiment intensity stand out against the video's own
 * baseline (z-scores over all windows, each capped at MAX_Z; chat and sentiment only where there
 * is enough of them), adjacent ones merged, ranked by score, at most `max`. A signal that never
 * varies (no chat, no transcript) stands out nowhere, so audio alone works.
 */
export function findHighlights(windows: SignalWindow[], max: number): Highlight[] {
  const capped = (values: number[], enough: (i: number) => boolean) => zScores(values).map((z, i) => (enough(i) ? Math.min(z, MAX_Z) : 0));
  const z = {
    loudness: capped(
      windows.map((w) => w.loudness_db),
      () => true,
    ),
    chat: capped(
      windows.map((w) => w.chat_messages),
      (i) => windows[i].chat_messages >= MIN_CHAT_MESSAGES,
    ),
    sentiment: capped(
      windows.map((w) => w.sentiment_intensity),
      (i) => windows[i].sentiment_intensity >= MIN_SENTIMENT_INTENSITY,
    ),
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
