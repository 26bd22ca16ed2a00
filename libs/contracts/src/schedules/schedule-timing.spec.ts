import { SCHEDULE_NAME, checkCronSpec, dueRun, nextRunAfter, shortestGapMs } from './schedule-timing';

const at = (iso: string) => new Date(iso);

describe('schedule timing', () => {
  it('finds the next run strictly after a time, in the schedule’s zone', () => {
    expect(nextRunAfter({ cron: '*/5 * * * * *' }, at('2030-01-01T00:00:05Z'))).toEqual(at('2030-01-01T00:00:10Z'));
    expect(nextRunAfter({ cron: '0 9 * * *', timezone: 'Europe/Paris' }, at('2030-01-01T00:00:00Z'))).toEqual(at('2030-01-01T08:00:00Z'));
  });

  it('owes nothing before the next run, and the latest due run after it (missed runs collapse)', () => {
    const spec = { cron: '0 * * * * *' };
    const since = at('2030-01-01T00:00:00Z');
    expect(dueRun(spec, since, at('2030-01-01T00:00:59.999Z'))).toBeUndefined();
    expect(dueRun(spec, since, at('2030-01-01T00:01:00Z'))).toEqual(at('2030-01-01T00:01:00Z'));
    expect(dueRun(spec, since, at('2030-01-01T00:05:30Z'))).toEqual(at('2030-01-01T00:05:00Z'));
  });

  it('measures the shortest gap between runs, including uneven patterns', () => {
    const from = at('2030-01-01T00:00:00Z');
    expect(shortestGapMs({ cron: '*/1 * * * * *' }, from, 0)).toBe(1_000);
    expect(shortestGapMs({ cron: '0 0,1 * * *' }, from, 0)).toBe(60 * 60_000);
    expect(shortestGapMs({ cron: '0 10,11 9 * * *' }, from, 0)).toBe(60_000);
  });

  it('names the field at fault', () => {
    expect(checkCronSpec({ cron: 'not a cron' }, 60_000)).toEqual([expect.objectContaining({ field: 'cron' })]);
    expect(checkCronSpec({ cron: '61 * * * *' }, 60_000)).toEqual([expect.objectContaining({ field: 'cron' })]);
    expect(checkCronSpec({ cron: '* * * * *', timezone: 'Mars/Olympus' }, 60_000)).toEqual([
      expect.objectContaining({ field: 'timezone' }),
    ]);
    expect(checkCronSpec({ cron: '*/10 * * * * *' }, 60_000)).toEqual([
      expect.objectContaining({ field: 'cron', message: expect.stringContaining('10000 ms apart') }),
    ]);
    expect(checkCronSpec({ cron: '*/10 * * * * *' }, 10_000)).toEqual([]);
    expect(checkCronSpec({ cron: '0 3 * * *', timezone: 'America/New_York' }, 60_000)).toEqual([]);
  });

  it.each([['* * * *'], ['*'], ['@daily'], ['* * * * * * *']])('refuses %j: a cron has 5 fields, or 6 with seconds first', (cron) => {
    expect(checkCronSpec({ cron }, 1_000)).toEqual([{ field: 'cron', message: expect.stringMatching(/^cron must have 5 fields/) }]);
  });

  it('accepts 5 and 6 fields, however they are spaced', () => {
    expect(checkCronSpec({ cron: ' 0  3 * * * ' }, 60_000)).toEqual([]);
    expect(checkCronSpec({ cron: '0\t0 3 * * *' }, 60_000)).toEqual([]);
  });

  it('accepts slugs as names', () => {
    expect(['a', 'nightly-report', 'x'.repeat(64)].every((n) => SCHEDULE_NAME.test(n))).toBe(true);
    expect(['', '-a', 'a-', 'A', 'a_b', 'x'.repeat(65), 'a:b'].some((n) => SCHEDULE_NAME.test(n))).toBe(false);
  });
});
