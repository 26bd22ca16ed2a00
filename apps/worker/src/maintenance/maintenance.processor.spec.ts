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
    const schedules = SYSTEM_TASK_CLASSES.map((Task) => new (Task as unknown as new (...args: unknown[]) => SystemTask)().schedule);
    expect(schedules.map((s) => s.name).sort()).toEqual([
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
