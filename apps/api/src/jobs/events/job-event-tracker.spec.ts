import { JobStatus } from '@conveyor/contracts';
import { JobResponse } from '../dto/job.response';
import { jobView } from '../dto/job-response.fixture';
import { JobEventTracker, formatEvent, parseLastEventId } from './job-event-tracker';

const JOB_ID = '6f1c2f0e-2a7a-4a4e-9a53-5d2b0a1e7c11';

function view(status: JobStatus, overrides: Partial<JobResponse> = {}): JobResponse {
  return jobView(JOB_ID, status, overrides);
}

const names = (events: { event: string }[]) => events.map((e) => e.event);

describe(JobEventTracker.name, () => {
  it('starts with a snapshot, reports changes, and ends with the final event', () => {
    const tracker = new JobEventTracker(JOB_ID);
    const all = [
      ...tracker.snapshot(view(JobStatus.Waiting)),
      ...tracker.view(view(JobStatus.Waiting)),
      ...tracker.view(view(JobStatus.Active, { progress: { percent: 0, step: 'check-target' } })),
      ...tracker.progressed({ percent: 5, step: 'send-request' }),
      ...tracker.progressed({ percent: 5, step: 'send-request' }),
      ...tracker.view(view(JobStatus.Active, { progress: { percent: 5, step: 'send-request' } })),
      ...tracker.view(view(JobStatus.Active, { progress: { percent: 85, step: 'read-response' } })),
      ...tracker.view(view(JobStatus.Completed, { progress: { percent: 100, step: null } })),
    ];
    expect(names(all)).toEqual(['snapshot', 'status', 'progress', 'progress', 'progress', 'completed']);
    expect(all.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.filter((e) => e.event === 'progress').map((e) => e.data)).toEqual([
      { jobId: JOB_ID, percent: 0, step: 'check-target' },
      { jobId: JOB_ID, percent: 5, step: 'send-request' },
      { jobId: JOB_ID, percent: 85, step: 'read-response' },
    ]);
    expect(tracker.done).toBe(true);
    expect(tracker.view(view(JobStatus.Completed))).toEqual([]);
    expect(tracker.progressed({ percent: 100, step: null })).toEqual([]);
  });

  it('reports a new attempt as a status change even when the status stays active', () => {
    const tracker = new JobEventTracker(JOB_ID);
    tracker.snapshot(view(JobStatus.Active, { progress: { percent: 85, step: 'read-response' } }));
    expect(names(tracker.view(view(JobStatus.Active, { attemptsMade: 1, progress: { percent: 85, step: 'read-response' } })))).toEqual([
      'status',
    ]);
    expect(names(tracker.progressed({ percent: 0, step: 'check-target' }))).toEqual(['progress']);
  });

  it('reports a job that stalled (its worker died) as a status change, though Conveyor still calls it active', () => {
    const tracker = new JobEventTracker(JOB_ID);
    tracker.snapshot(view(JobStatus.Active));
    const events = tracker.view(view(JobStatus.Active, { status: 'stalled' }));
    expect(names(events)).toEqual(['status']);
    expect(events[0].data).toMatchObject({ status: 'stalled', conveyorStatus: JobStatus.Active });
  });

  it('ignores a view’s progress when newer progress arrived during the read', () => {
    const tracker = new JobEventTracker(JOB_ID);
    tracker.snapshot(view(JobStatus.Active));
    expect(tracker.view(view(JobStatus.Active, { progress: { percent: 5, step: 'send-request' } }), false)).toEqual([]);
  });

  it('answers an ended job with the snapshot and the final event, above Last-Event-ID', () => {
    const tracker = new JobEventTracker(JOB_ID, 41);
    const events = tracker.snapshot(view(JobStatus.Failed, { error: { message: 'boom', code: 'Error' } }));
    expect(events.map((e) => [e.id, e.event])).toEqual([
      [42, 'snapshot'],
      [43, 'failed'],
    ]);
    expect(tracker.done).toBe(true);
  });

  it('follows the flow under a job that fanned out, and ends only once the flow has ended too', () => {
    const flow = (status: 'running' | 'completed', counts: Record<string, number>, progress: number) => ({
      flow: { status, counts, total: 4, progress },
    });
    const tracker = new JobEventTracker(JOB_ID);
    const all = [
      ...tracker.snapshot(view(JobStatus.Active, flow('running', { active: 1, waiting: 3 }, 0))),
      // The job itself completes while its children run: a status event, not the final one.
      ...tracker.view(view(JobStatus.Completed, flow('running', { completed: 1, active: 3 }, 25))),
      // Unchanged (counts in another order): nothing to report.
      ...tracker.view(view(JobStatus.Completed, flow('running', { active: 3, completed: 1 }, 25))),
      ...tracker.view(view(JobStatus.Completed, flow('running', { completed: 3, active: 1 }, 80))),
      ...tracker.view(view(JobStatus.Completed, flow('completed', { completed: 4 }, 100))),
    ];
    expect(names(all)).toEqual(['snapshot', 'status', 'flow', 'flow', 'completed']);
    expect(all[2].data).toEqual({ jobId: JOB_ID, status: 'running', counts: { completed: 1, active: 3 }, total: 4, progress: 25 });
    expect(all[4].data).toMatchObject({ status: JobStatus.Completed, flow: { status: 'completed', progress: 100 } });
    expect(tracker.done).toBe(true);
  });

  it('answers an ended job whose flow still runs with its snapshot only, and one whose flow ended with the final event too', () => {
    const running = new JobEventTracker(JOB_ID);
    const flow = { counts: { completed: 1, active: 1 }, total: 2, progress: 50 };
    expect(names(running.snapshot(view(JobStatus.Completed, { flow: { status: 'running', ...flow } })))).toEqual(['snapshot']);
    expect(running.done).toBe(false);
    const ended = new JobEventTracker(JOB_ID);
    expect(names(ended.snapshot(view(JobStatus.Completed, { flow: { status: 'failed', ...flow } })))).toEqual(['snapshot', 'completed']);
  });

  it('parses Last-Event-ID strictly and formats events on one data line', () => {
    expect(parseLastEventId(undefined)).toBe(0);
    expect(parseLastEventId(' 17 ')).toBe(17);
    for (const bad of ['', '-1', '1.5', 'abc', '9999999999999999999']) expect(parseLastEventId(bad)).toBe(0);
    expect(formatEvent({ id: 3, event: 'progress', data: { jobId: JOB_ID, percent: 5, step: 'a\nb' } })).toBe(
      `id: 3\nevent: progress\ndata: {"jobId":"${JOB_ID}","percent":5,"step":"a\\nb"}\n\n`,
    );
  });
});
