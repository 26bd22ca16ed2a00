import { JobStatus } from '../job-status';
import { RunEnd, SEND_NOTIFICATION_TYPE, flowEndNotificationId, isLongJobEnd, jobEndNotificationId } from './end-notification';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const end = (over: Partial<RunEnd> = {}): RunEnd => ({
  type: 'http.request',
  inFlow: false,
  status: JobStatus.Completed,
  startedAt: at(0),
  finishedAt: at(60),
  ...over,
});

describe(isLongJobEnd.name, () => {
  it('holds for a job outside a flow that completed or failed after running at least the threshold', () => {
    expect(isLongJobEnd(end(), 60)).toBe(true);
    expect(isLongJobEnd(end({ status: JobStatus.Failed }), 60)).toBe(true);
    expect(isLongJobEnd(end({ finishedAt: at(59) }), 60)).toBe(false);
    expect(isLongJobEnd(end({ finishedAt: at(0) }), 0)).toBe(true);
  });

  it('never holds for a cancel, a job inside a flow, or a notification itself', () => {
    expect(isLongJobEnd(end({ status: JobStatus.Cancelled }), 0)).toBe(false);
    expect(isLongJobEnd(end({ inFlow: true }), 0)).toBe(false);
    expect(isLongJobEnd(end({ type: SEND_NOTIFICATION_TYPE }), 0)).toBe(false);
  });
});

describe('notification ids', () => {
  it('are the same for the same end and differ for another run, another flow end or the other kind', () => {
    expect(jobEndNotificationId('j', 1)).toBe(jobEndNotificationId('j', 1));
    expect(flowEndNotificationId('j', 4)).toBe(flowEndNotificationId('j', 4));
    const ids = [jobEndNotificationId('j', 1), jobEndNotificationId('j', 2), flowEndNotificationId('j', 1), flowEndNotificationId('j', 5)];
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
