import { everyHoursCron, everyMinutesCron, taskRun } from './system-schedules';

describe('system schedules', () => {
  it('turns seed 004’s intervals into crons', () => {
    expect(everyHoursCron(1, 17)).toBe('17 * * * *');
    expect(everyHoursCron(6, 17)).toBe('17 */6 * * *');
    expect(everyHoursCron(24, 17)).toBe('17 0 * * *');
    expect(everyMinutesCron(1)).toBe('* * * * *');
    expect(everyMinutesCron(5)).toBe('*/5 * * * *');
    expect(everyMinutesCron(60)).toBe('0 * * * *');
  });

  it('passes an admin’s task schedule its name and data, and a system schedule nothing', () => {
    expect(taskRun({ _id: 'nightly-cleanup', system: false, task: true, data: { olderThanDays: 30 } })).toEqual({
      schedule: 'nightly-cleanup',
      options: { olderThanDays: 30 },
    });
    expect(taskRun({ _id: 'cleanup-expired-jobs', system: true, data: {} })).toEqual({});
  });
});
