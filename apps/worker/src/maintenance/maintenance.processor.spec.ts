import { loadConfig } from '@conveyor/config';
import { MaintenanceProcessor } from './maintenance.processor';
import { SystemTaskRegistry, indexByName } from './system-task-registry';
import { SystemTask, PermanentJobError } from '@conveyor/job-runtime';
import { SYSTEM_TASK_CLASSES } from './system-tasks';
import { SCHEDULE_NAME, checkCronSpec } from '@conveyor/contracts';

const task = (name: string, run: SystemTask['run'] = async () => ({ ran: name })): SystemTask => ({
  schedule: { name, cron: '* * * * *', description: name },
  run,
});

const job = (name: string) =>
  ({ name, data: { trigger: 'manual' }, discard: jest.fn() }) as never as Parameters<MaintenanceProcessor['process']>[0];

describe(MaintenanceProcessor.name, () => {
  it('runs the task the job names and returns its summary', async () => {
    const sut = new MaintenanceProcessor(SystemTaskRegistry.of([task('a'), task('b')]));
    await expect(sut.process(job('b'))).resolves.toEqual({ ran: 'b' });
  });

  it('rethrows a task’s error so Bull retries it', async () => {
    const sut = new MaintenanceProcessor(
      SystemTaskRegistry.of([
        task('flaky', async () => {
          throw new Error('MongoDB unreachable');
        }),
      ]),
    );
    const flaky = job('flaky');
    await expect(sut.process(flaky)).rejects.toThrow('MongoDB unreachable');
    expect((flaky as unknown as { discard: jest.Mock }).discard).not.toHaveBeenCalled();
  });

  it('discards a job naming no task (nothing to retry)', async () => {
    const unknown = job('gone');
    await expect(new MaintenanceProcessor(SystemTaskRegistry.of([task('a')])).process(unknown)).rejects.toBeInstanceOf(PermanentJobError);
    expect((unknown as unknown as { discard: jest.Mock }).discard).toHaveBeenCalled();
  });

  it('refuses two tasks of one name', () => {
    expect(() => indexByName([task('a'), task('a')])).toThrow('Two system tasks are named "a"');
  });
});

describe('SYSTEM_TASK_CLASSES', () => {
  it('are the platform tasks, with schedules with slug names and valid crons', () => {
    // A task reads only the configuration when it is built (its cron may come from it): every argument is one.
    const config = loadConfig({});
    const build = (Task: unknown) => new (Task as new (...args: unknown[]) => SystemTask)(config, config, config, config, config, config);
    const schedules = SYSTEM_TASK_CLASSES.map((Task) => build(Task).schedule);
    expect(schedules.map((s) => s.name).sort()).toEqual([
      'backup-data',
      'cleanup-expired-jobs',
      'flow-fan-in',
      'health-check-services',
      'reconcile',
      'update-queue-stats',
    ]);
    for (const schedule of schedules) {
      expect(SCHEDULE_NAME.test(schedule.name)).toBe(true);
      expect(checkCronSpec({ cron: schedule.cron }, 60_000)).toEqual([]);
    }
  });
});

describe('system schedules from seed 004’s intervals', () => {
  it('run cleanup every CLEANUP_INTERVAL_HOURS and the health checks every HEALTH_CHECK_INTERVAL_MINUTES', () => {
    const config = loadConfig({ CLEANUP_INTERVAL_HOURS: '24', HEALTH_CHECK_INTERVAL_MINUTES: '5' });
    const crons = Object.fromEntries(
      SYSTEM_TASK_CLASSES.map(
        (Task) => new (Task as new (...args: unknown[]) => SystemTask)(config, config, config, config, config, config),
      ).map((t) => [t.schedule.name, t.schedule.cron]),
    );
    expect(crons['cleanup-expired-jobs']).toBe('17 0 * * *');
    expect(crons['health-check-services']).toBe('*/5 * * * *');
  });
});
