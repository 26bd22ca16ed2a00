/** Percentile of samples in ms (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface LatencySummary {
  p50: number;
  p99: number;
}

export function summarize(samples: number[]): LatencySummary {
  return { p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)) };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
