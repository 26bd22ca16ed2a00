import { PRIORITY_LEVELS } from '@conveyor/contracts';

/** What a valid priority is on seed 002's routes, in the one wording every refusal uses. */
export const GUIDE_PRIORITY_RULE = 'must be URGENT, HIGH, NORMAL or LOW (any letter case), or 4, 3, 2, 1';

/** Seed 002's priority levels and their values (higher first). */
export const GUIDE_PRIORITIES = { URGENT: 4, HIGH: 3, NORMAL: 2, LOW: 1 } as const;
export type GuidePriority = keyof typeof GUIDE_PRIORITIES;

/** Conveyor's priority (1 most urgent … 10) for each of the guide's levels: same order, FIFO within. */
const TO_CONVEYOR: Record<GuidePriority, number> = {
  URGENT: PRIORITY_LEVELS.urgent,
  HIGH: PRIORITY_LEVELS.high,
  NORMAL: PRIORITY_LEVELS.normal,
  LOW: PRIORITY_LEVELS.low,
};

/** The guide's level for a name in any letter case or its value 4…1; undefined for anything else. */
export function guidePriority(input: unknown): GuidePriority | undefined {
  if (typeof input === 'string') {
    const name = input.toUpperCase();
    return name in GUIDE_PRIORITIES ? (name as GuidePriority) : undefined;
  }
  if (typeof input === 'number') return (Object.keys(GUIDE_PRIORITIES) as GuidePriority[]).find((k) => GUIDE_PRIORITIES[k] === input);
  return undefined;
}

/** Conveyor's priority for the guide's level. */
export function conveyorPriority(level: GuidePriority): number {
  return TO_CONVEYOR[level];
}

/** The guide's level for a Conveyor priority (the nearest level at or above it in urgency). */
export function guideLevelOf(priority: number): GuidePriority {
  if (priority <= PRIORITY_LEVELS.urgent) return 'URGENT';
  if (priority <= PRIORITY_LEVELS.high) return 'HIGH';
  if (priority <= PRIORITY_LEVELS.normal) return 'NORMAL';
  return 'LOW';
}
