/** A named step of a job type and its share of the whole job's progress. */
export interface StepDefinition {
  readonly name: string;
  readonly weight: number;
}

export interface JobProgress {
  /** 0–100, never 100 before the last step has finished. */
  percent: number;
  /** Name of the running step, or null before the first and after the last. */
  step: string | null;
}

/**
 * Progress percentage when `stepIndex` steps have finished and the next one is `fraction` done.
 * Weights are relative; rounding is down so that a job shows 100 only when every step finished.
 */
export function progressPercent(steps: readonly StepDefinition[], stepIndex: number, fraction = 0): number {
  const total = steps.reduce((sum, s) => sum + s.weight, 0);
  if (total <= 0 || steps.length === 0) return stepIndex >= steps.length ? 100 : 0;
  const done = steps.slice(0, Math.max(0, stepIndex)).reduce((sum, s) => sum + s.weight, 0);
  const partial = stepIndex < steps.length ? steps[stepIndex].weight * clamp01(fraction) : 0;
  return Math.min(100, Math.floor(((done + partial) / total) * 100 + 1e-9));
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
