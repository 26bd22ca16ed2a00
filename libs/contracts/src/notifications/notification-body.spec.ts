import { WebhookEvent } from '../webhooks';
import { notificationBody } from './notification-body';
import { NotificationEvent, deliveryEventOf, flowEndEvent, jobEndEvent } from './notification-event';
import { JobStatus } from '../job-status';

describe(notificationBody.name, () => {
  const base = { ownerKey: 'user:u1', jobId: 'j1', type: 'test.probe', finishedAt: '2026-01-01T00:00:00.000Z' };

  it("tells a job's end with a link to the job and no flow", () => {
    expect(notificationBody({ ...base, event: NotificationEvent.JobFailed, status: 'failed' })).toEqual({
      event: 'job.failed',
      jobId: 'j1',
      type: 'test.probe',
      status: 'failed',
      finishedAt: '2026-01-01T00:00:00.000Z',
      links: { job: '/api/v1/jobs/j1', flow: null },
    });
  });

  it("tells a flow's end with its summary and a link to its tree; never the owner's key", () => {
    const flow = { status: 'cancelled' as const, counts: { completed: 1, cancelled: 2 }, total: 3 };
    const body = notificationBody({ ...base, event: NotificationEvent.FlowCancelled, status: 'completed', flow });
    expect(body).toMatchObject({ event: 'flow.cancelled', flow, links: { job: '/api/v1/jobs/j1', flow: '/api/v1/jobs/j1/flow' } });
    expect(JSON.stringify(body)).not.toContain('user:u1');
  });
});

describe('notification events', () => {
  it('name the ends that notify, and are delivered under the outcome they report', () => {
    expect([JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled, JobStatus.Active].map(jobEndEvent)).toEqual([
      'job.completed',
      'job.failed',
      undefined,
      undefined,
    ]);
    expect((['running', 'completed', 'failed', 'cancelled'] as const).map(flowEndEvent)).toEqual([
      undefined,
      'flow.completed',
      'flow.failed',
      'flow.cancelled',
    ]);
    expect(Object.values(NotificationEvent).map(deliveryEventOf)).toEqual([
      WebhookEvent.Completed,
      WebhookEvent.Failed,
      WebhookEvent.Completed,
      WebhookEvent.Failed,
      WebhookEvent.Cancelled,
    ]);
  });
});
