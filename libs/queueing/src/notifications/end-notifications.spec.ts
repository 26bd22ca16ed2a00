import { Logger } from '@nestjs/common';
import { JobStatus, flowEndNotificationId, jobEndNotificationId } from '@conveyor/contracts';
import { JobProducer } from '../job-producer.service';
import { EndNotifications, EndedFlow, EndedRun, NOTIFICATIONS_OWNER } from './end-notifications';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe(EndNotifications.name, () => {
  const submitOnce = jest.fn();
  const sut = new EndNotifications({ submitOnce } as unknown as JobProducer, { serviceUrl: undefined, minJobSeconds: 30 });
  const run = (over: Partial<EndedRun> = {}): EndedRun => ({
    jobId: 'job-1',
    run: 2,
    ownerKey: 'user:u1',
    type: 'http.request',
    inFlow: false,
    status: JobStatus.Completed,
    startedAt: at(0),
    finishedAt: at(30),
    ...over,
  });

  beforeEach(() => {
    submitOnce.mockReset().mockResolvedValue(undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  it("enqueues a long job's end once per run, as the platform's, with its owner in the payload", async () => {
    await sut.jobEnded(run());
    expect(submitOnce).toHaveBeenCalledWith({
      owner: NOTIFICATIONS_OWNER,
      jobId: jobEndNotificationId('job-1', 2),
      input: {
        type: 'send-notification',
        data: {
          event: 'job.completed',
          ownerKey: 'user:u1',
          jobId: 'job-1',
          type: 'http.request',
          status: 'completed',
          finishedAt: at(30).toISOString(),
        },
      },
    });
  });

  it('enqueues nothing for a short job, a cancel, or a job inside a flow', async () => {
    await sut.jobEnded(run({ finishedAt: at(29) }));
    await sut.jobEnded(run({ status: JobStatus.Cancelled }));
    await sut.jobEnded(run({ inFlow: true }));
    expect(submitOnce).not.toHaveBeenCalled();
  });

  it("enqueues every flow's end under an id of that end, with the flow's summary", async () => {
    const flow: EndedFlow = {
      rootId: 'root-1',
      rootType: 'test.probe',
      rootStatus: JobStatus.Completed,
      ownerKey: 'user:u1',
      status: 'failed',
      counts: { completed: 2, failed: 1 },
      total: 3,
      runs: 4,
    };
    await sut.flowEnded(flow);
    expect(submitOnce).toHaveBeenCalledWith(
      expect.objectContaining({
        jobId: flowEndNotificationId('root-1', 4),
        input: expect.objectContaining({
          data: expect.objectContaining({
            event: 'flow.failed',
            jobId: 'root-1',
            status: 'completed',
            flow: { status: 'failed', counts: { completed: 2, failed: 1 }, total: 3 },
          }),
        }),
      }),
    );
  });

  it('never rejects: an end whose notification cannot be enqueued goes ahead, logged', async () => {
    submitOnce.mockRejectedValue(new Error('Redis is down'));
    await expect(sut.jobEnded(run())).resolves.toBeUndefined();
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: expect.stringContaining('Redis is down') }) },
      expect.any(String),
    );
  });
});
