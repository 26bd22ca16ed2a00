import { scheduledRunJobId } from './scheduled-run';

describe(scheduledRunJobId.name, () => {
  const run = { schedule: 'nightly-report', runAt: new Date('2030-01-01T03:00:00Z') };

  it('gives one run one id, a UUID (version 8) the job routes accept', () => {
    expect(scheduledRunJobId(run)).toBe(scheduledRunJobId({ ...run, runAt: new Date(run.runAt) }));
    expect(scheduledRunJobId(run)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives another run or another schedule another id', () => {
    const ids = [
      scheduledRunJobId(run),
      scheduledRunJobId({ ...run, runAt: new Date('2030-01-01T03:00:01Z') }),
      scheduledRunJobId({ ...run, schedule: 'nightly-reports' }),
    ];
    expect(new Set(ids).size).toBe(3);
  });
});
