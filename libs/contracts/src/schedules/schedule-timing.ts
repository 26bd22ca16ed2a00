import { messageOf } from '../error-message';
import { CronExpressionParser } from 'cron-parser';
import { FieldError } from '../conveyor-error';

/** The owner of every job a schedule fires or an operator triggers: one service identity. */
export const SCHEDULER_OWNER = { kind: 'service', id: 'scheduler' } as const;

/** Schedule names: a slug, also the document's `_id` and part of Redis keys. */
export const SCHEDULE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Consecutive runs looked at when checking a cron's minimum interval (see `shortestGapMs`). */
const INTERVAL_SAMPLE_RUNS = 1_000;

export interface CronSpec {
  cron: string;
  /** IANA zone; UTC when absent. */
  timezone?: string | null;
}

/** Whether Intl knows the zone (the same zones cron-parser's Luxon accepts). */
export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** The first run strictly after `after`, or undefined when the expression has no further run. */
export function nextRunAfter({ cron, timezone }: CronSpec, after: Date): Date | undefined {
  const expression = CronExpressionParser.parse(cron, { tz: timezone ?? 'UTC', currentDate: after });
  return expression.hasNext() ? expression.next().toDate() : undefined;
}

/** The latest run at or before `now`. */
export function latestRunAtOrBefore({ cron, timezone }: CronSpec, now: Date): Date | undefined {
  const expression = CronExpressionParser.parse(cron, { tz: timezone ?? 'UTC', currentDate: new Date(now.getTime() + 1) });
  return expression.hasPrev() ? expression.prev().toDate() : undefined;
}

/**
 * The run a schedule owes at `now`, if any: when the next run after the last one (or after the
 * schedule's creation) is due, the latest due run. Runs missed while no worker ticked (a stopped
 * fleet) collapse into that one run instead of firing a backlog.
 */
export function dueRun(spec: CronSpec, since: Date, now: Date): Date | undefined {
  const next = nextRunAfter(spec, since);
  if (!next || next.getTime() > now.getTime()) return undefined;
  return latestRunAtOrBefore(spec, now) ?? next;
}

/**
 * The shortest gap between consecutive runs over the next INTERVAL_SAMPLE_RUNS runs (stops early
 * once one is below `floorMs`). A sample, not a proof: a pattern whose only short gap lies past
 * the sample (a yearly pair of runs a second apart) is not caught.
 */
export function shortestGapMs({ cron, timezone }: CronSpec, from: Date, floorMs: number): number {
  const expression = CronExpressionParser.parse(cron, { tz: timezone ?? 'UTC', currentDate: from });
  let previous: number | undefined;
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < INTERVAL_SAMPLE_RUNS && expression.hasNext(); i++) {
    const at = expression.next().getTime();
    if (previous !== undefined) shortest = Math.min(shortest, at - previous);
    if (shortest < floorMs) break;
    previous = at;
  }
  return shortest;
}

/** Problems with a schedule's timing, each naming its field (`cron` or `timezone`); empty when fine. */
export function checkCronSpec(spec: CronSpec, minIntervalMs: number, now = new Date()): FieldError[] {
  if (spec.timezone != null && !isValidTimezone(spec.timezone)) {
    return [{ field: 'timezone', message: `timezone must be an IANA time zone such as Europe/Paris (got "${spec.timezone}")` }];
  }
  // cron-parser pads shorter expressions (`* * * *` runs every minute) and reads macros such as
  // `@daily`: a schedule says exactly what it means instead.
  const fields = spec.cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    return [
      {
        field: 'cron',
        message: `cron must have 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; it has ${fields}`,
      },
    ];
  }
  let gap: number;
  try {
    if (!nextRunAfter(spec, now)) return [{ field: 'cron', message: 'cron has no future run' }];
    gap = shortestGapMs(spec, now, minIntervalMs);
  } catch (error) {
    return [{ field: 'cron', message: `cron is not a valid cron expression: ${messageOf(error)}` }];
  }
  if (gap < minIntervalMs) {
    return [
      {
        field: 'cron',
        message: `cron runs ${gap} ms apart at times; schedules may run at most once every ${minIntervalMs} ms`,
      },
    ];
  }
  return [];
}
