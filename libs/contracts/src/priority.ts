import { ValidateBy } from 'class-validator';

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

/** What a valid priority is, in the one wording every refusal uses. */
export const PRIORITY_RULE = 'must be an integer from 1 (most urgent) to 10, or one of urgent, high, normal, low';

/**
 * The one priority check of the job API's DTOs (submit options, change priority); the producer's
 * resolveJobOptions refuses with the same rule for callers that skip the DTOs.
 */
export const IsPriority = () =>
  ValidateBy({
    name: 'isPriority',
    validator: {
      validate: (value: unknown) => resolvePriority(value) !== undefined,
      defaultMessage: () => `priority ${PRIORITY_RULE}`,
    },
  });

/**
 * A priority written on seed 004's scale ("higher = more important", 10 the most urgent) on ours
 * (1 the most urgent): 10 ↔ 1, 5 ↔ 6. Names mean the same on both; anything else is left for the
 * usual check to refuse.
 */
export function fromHigherFirst(input: unknown): unknown {
  return typeof input === 'number' && Number.isInteger(input) ? HIGHEST_PRIORITY + LOWEST_PRIORITY - input : input;
}
