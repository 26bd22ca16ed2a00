/** 1 is the most urgent, 10 the least (DESIGN §3); Bull v4 uses the same direction. */
export const HIGHEST_PRIORITY = 1;
export const LOWEST_PRIORITY = 10;
export const DEFAULT_PRIORITY = 5;

export const PRIORITY_LEVELS = { urgent: 1, high: 3, normal: 5, low: 8 } as const;
export type PriorityLevel = keyof typeof PRIORITY_LEVELS;
export type PriorityInput = number | PriorityLevel;

/** Numeric priority for a 1–10 integer or a named level; `undefined` for anything else. */
export function resolvePriority(input: unknown): number | undefined {
  if (typeof input === 'number') {
    return Number.isInteger(input) && input >= HIGHEST_PRIORITY && input <= LOWEST_PRIORITY ? input : undefined;
  }
  if (typeof input === 'string' && Object.prototype.hasOwnProperty.call(PRIORITY_LEVELS, input)) {
    return PRIORITY_LEVELS[input as PriorityLevel];
  }
  return undefined;
}
