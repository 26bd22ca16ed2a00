import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { JobStatus, QueueName, flowEndNotificationId, jobEndNotificationId, verifyWebhookSignature } from '@conveyor/contracts';
import { EndNotifications, FlowEnds } from '@conveyor/queueing';
import { createHmac } from 'node:crypto';
import { Conveyor } from '../support/conveyor';
import { Hit, TargetServer } from '../support/target-server';
import { holdsFor, waitFor } from '../support/wait-for';

const SERVICE_SECRET = 'service-signing-secret-notifications';
const OWN_SECRET = 'alice-own-notification-secret';
const ADMIN_TOKEN = 'notifications-admin-token-0123456789';
/** Has her own URL and secret. */
const ALICE = { 'x-user-id': 'notify-alice' };
/** Has no settings: his notifications go to NOTIFICATION_WEBHOOK_URL. */
const BOB = { 'x-user-id': 'notify-bob' };

/** A notification as its receiver got it: headers, the exact body, and the body parsed. */
interface Received {
  hit: Hit;
  body: any;
}

/**
 * Notifications (issue 16, seed 004's `send-notification`): a caller sets where they are told
 * of their flows' and long jobs' ends; each end becomes one send-notification job, whose POST
 * goes out signed through the webhook deliveries. Flows run with the probe job type.
 */
describe('Notifications: send-notification', () => {
  let conveyor: Conveyor;
  let receiver: TargetServer;
  let db: Connection;

  beforeAll(async () => {
    receiver = await TargetServer.start();
    conveyor = await Conveyor.start({
      probe: true,
      workers: 0,
      env: {
        WEBHOOK_SIGNING_SECRET: SERVICE_SECRET,
        WEBHOOK_BACKOFF_MS: '100',
        NOTIFICATION_WEBHOOK_URL: receiver.url('/service'),
        // The API's: the redelivered end below is replayed through it. Workers are started with their own.
        NOTIFICATION_MIN_JOB_SECONDS: '0',
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        THROTTLE_READ_LIMIT: '100000',
      },
    });
    db = conveyor.app.get<Connection>(getConnectionToken());
    // First a worker for which no job of these tests is long: only flows notify.
    await conveyor.startWorker({ NOTIFICATION_MIN_JOB_SECONDS: '3600' });
    const put = await conveyor
      .http()
      .put('/api/v1/notifications/settings')
      .set(ALICE)
      .send({ url: receiver.url('/alice'), secret: OWN_SECRET });
    expect(put.status).toBe(200);
  });

  afterAll(async () => {
    await conveyor?.close();
    await receiver?.close();
  });

  const received = (path?: string): Received[] =>
    receiver.hits.filter((h) => path === undefined || h.path === path).map((hit) => ({ hit, body: JSON.parse(hit.body || '{}') }));
  const about = (jobId: string) => received().filter((r) => r.body.jobId === jobId);
  const waitForNotification = (jobId: string, event: string) =>
    waitFor(() => about(jobId).find((r) => r.body.event === event), { what: `the ${event} notification of job ${jobId}` });

  /** What a receiver does: recompute the HMAC over `${id}.${timestamp}.${body}` with its secret. */
  const expectSignedWith = (secret: string, { hit }: Received) => {
    const id = hit.headers['webhook-id'] as string;
    const timestamp = hit.headers['webhook-timestamp'] as string;
    const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.${hit.body}`).digest('base64');
    expect(hit.headers['webhook-signature']).toBe(`v1,${expected} v1=${expected}`);
    const signatureHeader = hit.headers['webhook-signature'] as string;
    expect(verifyWebhookSignature({ secret, webhookId: id, timestamp, body: hit.body, signatureHeader })).toBe(true);
  };

  const submitProbe = async (user: Record<string, string>, data: object, options: object = {}): Promise<string> => {
    const res = await conveyor.http().post('/api/v1/jobs').set(user).send({ type: 'test.probe', data, options });
    expect(res.status).toBe(201);
    return res.body.data.jobId;
  };
  const finished = (rootId: string, user: Record<string, string>) =>
    waitFor(
      async () => {
        const flow = (await conveyor.http().get(`/api/v1/jobs/${rootId}/flow`).set(user)).body.data;
        return flow?.flow?.status !== 'running' ? flow : undefined;
      },
      { what: `flow ${rootId} to finish`, timeoutMs: 30_000 },
    );
  /** Until Bull has settled the job: its worker has done everything it does at a job's end. */
  const settledInBull = (queue: string, jobId: string) =>
    waitFor(
      async () => {
        const job = await conveyor.queue(queue).getJob(jobId);
        return job && ((await job.isCompleted()) || (await job.isFailed()));
      },
      { what: `job ${jobId} to be settled in Bull` },
    );
  /** The notification job of an end, once it has run, and its delivery with it. */
  const notificationJob = async (notificationId: string) => {
    await settledInBull(QueueName.Notifications, notificationId);
    const record = await conveyor.record(notificationId);
    const deliveryId = (record?.result as { deliveryId?: string } | null)?.deliveryId;
    if (deliveryId) await settledInBull(QueueName.Webhooks, deliveryId);
    return record!;
  };

  it("keeps each caller's own settings: the URL checked like a callbackUrl, the secret sealed and never shown", async () => {
    const carol = { 'x-user-id': 'notify-carol' };
    const settings = () => conveyor.http().get('/api/v1/notifications/settings').set(carol);
    const put = (body: object) => conveyor.http().put('/api/v1/notifications/settings').set(carol).send(body);

    const none = await settings();
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ success: false, error_code: 'NOTIFICATION_SETTINGS_NOT_FOUND', timestamp: expect.any(String) });
    expect((await put({ url: 'http://10.1.2.3/hooks' })).body).toMatchObject({ error_code: 'TARGET_NOT_ALLOWED' });
    expect((await put({ url: 'ftp://example.com/hooks' })).status).toBe(400);
    expect((await put({ url: receiver.url('/carol'), events: ['job.started'] })).body).toMatchObject({
      error_code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ field: 'events' })],
    });
    expect((await put({ url: receiver.url('/carol'), secret: 'short' })).status).toBe(400);

    const saved = await put({ url: receiver.url('/carol'), secret: 'carol-own-secret-000001', events: ['flow.failed'] });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toEqual({
      url: receiver.url('/carol'),
      events: ['flow.failed'],
      ownSecret: true,
      updatedAt: expect.any(String),
    });
    expect((await settings()).body.data).toEqual(saved.body.data);
    expect(JSON.stringify((await settings()).body)).not.toContain('carol-own-secret');
    const stored = await db.collection('notification_settings').findOne({ _id: 'user:notify-carol' as never });
    expect(JSON.stringify(stored)).not.toContain('carol-own-secret');

    // Nobody else's: another caller has none, and cannot remove Carol's.
    expect((await conveyor.http().get('/api/v1/notifications/settings').set(BOB)).status).toBe(404);
    expect((await conveyor.http().delete('/api/v1/notifications/settings').set(BOB)).status).toBe(404);

    expect((await conveyor.http().delete('/api/v1/notifications/settings').set(carol)).body.data).toEqual({ deleted: true });
    expect((await settings()).status).toBe(404);
  });

  it('tells the owner once, signed with their own secret, when their flow ends; an end seen again sends nothing more', async () => {
    // The root fans out, then sleeps while its children and continuation run: it is the last to end.
    const rootId = await submitProbe(ALICE, {
      steps: 2,
      at: 2,
      fault: 'sleep',
      ms: 3_000,
      children: [{ steps: 1 }, { steps: 1, at: 1, fault: 'throw' }],
      childAttempts: 1,
      continueWith: { steps: 1 },
    });
    const flow = await finished(rootId, ALICE);
    expect(flow.flow.status).toBe('completed');
    const continuation = (await conveyor.record(flow.children[2].jobId))!;
    expect((await conveyor.record(rootId))!.finishedAt!.getTime()).toBeGreaterThan(continuation.finishedAt!.getTime());

    const notification = await waitForNotification(rootId, 'flow.completed');
    expect(notification.hit.path).toBe('/alice');
    expect(notification.hit.method).toBe('POST');
    expect(notification.hit.headers['content-type']).toBe('application/json');
    expectSignedWith(OWN_SECRET, notification);
    expect(verifyWebhookSignature({ ...signatureOf(notification), secret: SERVICE_SECRET })).toBe(false);
    expect(notification.body).toEqual({
      event: 'flow.completed',
      jobId: rootId,
      type: 'test.probe',
      status: 'completed',
      flow: { status: 'completed', counts: { completed: 3, failed: 1 }, total: 4 },
      finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      links: { job: `/api/v1/jobs/${rootId}`, flow: `/api/v1/jobs/${rootId}/flow` },
    });

    // The end, seen again (as a redelivered last job would), is the same notification: not sent twice.
    await conveyor.app.get(FlowEnds).check(rootId);
    await conveyor.app.get(FlowEnds).check(rootId);
    const notificationId = flowEndNotificationId(rootId, 4); // four jobs, each in its first run
    const job = await notificationJob(notificationId);
    expect(job).toMatchObject({ type: 'send-notification', ownerKey: 'service:notifications', status: 'completed' });
    expect(job.result).toEqual({ outcome: 'queued', target: 'owner', deliveryId: notification.hit.headers['webhook-id'] });
    // As the API shows it, the result is what the type documents (the platform's job: read as an admin).
    await conveyor.checkDocumentedResult(notificationId, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(await holdsFor(() => about(rootId).length === 1, 1_000)).toBe(true);
    // Nothing about the flow's other jobs: a flow notifies once for all of them.
    for (const child of flow.children) expect(about(child.jobId)).toEqual([]);
    // The notification job is the platform's, not in the owner's jobs.
    expect((await conveyor.http().get(`/api/v1/jobs/${notificationId}`).set(ALICE)).status).toBe(404);
  });

  it('sends a flow of an owner with no settings to NOTIFICATION_WEBHOOK_URL, signed with the service secret, and its retried end too', async () => {
    const rootId = await submitProbe(BOB, {
      steps: 1,
      children: [{ steps: 1 }, { steps: 1, at: 1, fault: 'throw', untilRun: 1 }],
      childAttempts: 1,
      continueWith: { steps: 1 },
      onChildFailure: 'fail',
    });
    expect((await finished(rootId, BOB)).flow.status).toBe('failed');
    const failed = await waitForNotification(rootId, 'flow.failed');
    expect(failed.hit.path).toBe('/service');
    expectSignedWith(SERVICE_SECRET, failed);
    expect(failed.body).toMatchObject({ status: 'completed', flow: { status: 'failed', counts: { completed: 2, failed: 1 }, total: 3 } });

    // A retry runs the failed child again, then the continuation: the flow's new end is told too.
    expect((await conveyor.http().post(`/api/v1/jobs/${rootId}/retry`).set(BOB)).status).toBe(200);
    expect((await finished(rootId, BOB)).flow.status).toBe('completed');
    const completed = await waitForNotification(rootId, 'flow.completed');
    expect(completed.hit.path).toBe('/service');
    expectSignedWith(SERVICE_SECRET, completed);
    expect(completed.hit.headers['webhook-id']).not.toBe(failed.hit.headers['webhook-id']);
    expect(completed.body.flow).toEqual({ status: 'completed', counts: { completed: 4 }, total: 4 });
  });

  it('tells flow.cancelled when the owner cancels the flow under a job', async () => {
    const rootId = await submitProbe(ALICE, { steps: 1, children: [1, 2].map(() => ({ steps: 1, at: 1, fault: 'sleep', ms: 30_000 })) });
    await conveyor.waitForJob(rootId, ALICE['x-user-id'], (j) => j.status === 'completed' && j.flow?.counts?.active === 2);
    expect((await conveyor.http().post(`/api/v1/jobs/${rootId}/cancel`).set(ALICE)).status).toBe(200);
    const cancelled = await waitForNotification(rootId, 'flow.cancelled');
    expect(cancelled.hit.path).toBe('/alice');
    expectSignedWith(OWN_SECRET, cancelled);
    expect(cancelled.body.flow).toEqual({ status: 'cancelled', counts: { completed: 1, cancelled: 2 }, total: 3 });
  });

  it('does not tell of a job shorter than NOTIFICATION_MIN_JOB_SECONDS', async () => {
    const jobId = await submitProbe(ALICE, { steps: 1 });
    await settledInBull(QueueName.Http, jobId);
    expect(await conveyor.record(jobEndNotificationId(jobId, 1))).toBeNull();
    expect(about(jobId)).toEqual([]);
  });

  describe('with NOTIFICATION_MIN_JOB_SECONDS=0 (every job outside a flow is long)', () => {
    beforeAll(async () => {
      await Promise.all(conveyor.workers.map((w) => w.kill()));
      await conveyor.startWorker(); // the suite's setting: 0
    });

    it('tells job.completed and job.failed, once each, even when an end is processed twice', async () => {
      const okId = await submitProbe(ALICE, { steps: 1 });
      const completed = await waitForNotification(okId, 'job.completed');
      expect(completed.hit.path).toBe('/alice');
      expectSignedWith(OWN_SECRET, completed);
      expect(completed.body).toEqual({
        event: 'job.completed',
        jobId: okId,
        type: 'test.probe',
        status: 'completed',
        finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        links: { job: `/api/v1/jobs/${okId}`, flow: null },
      });

      const failingId = await submitProbe(BOB, { steps: 1, at: 1, fault: 'throw' }, { attempts: 1 });
      const failed = await waitForNotification(failingId, 'job.failed');
      expect(failed.hit.path).toBe('/service');
      expectSignedWith(SERVICE_SECRET, failed);
      expect(failed.body).toMatchObject({ event: 'job.failed', jobId: failingId, status: 'failed' });

      // The same end again, as a redelivered job or a second worker would report it: one notification still.
      const record = (await conveyor.record(okId))!;
      const end = {
        jobId: okId,
        run: 1,
        ownerKey: 'user:notify-alice',
        type: 'test.probe',
        inFlow: false,
        status: JobStatus.Completed,
        startedAt: record.startedAt!,
        finishedAt: record.finishedAt!,
      };
      await conveyor.app.get(EndNotifications).jobEnded(end);
      await conveyor.app.get(EndNotifications).jobEnded(end);
      await notificationJob(jobEndNotificationId(okId, 1));
      expect(await holdsFor(() => about(okId).length === 1 && about(failingId).length === 1, 1_000)).toBe(true);
    });

    it("tells of a flow's end once, not of the jobs inside it; its root, a job of its own, is told of as one", async () => {
      const rootId = await submitProbe(ALICE, { steps: 1, children: [{ steps: 1 }, { steps: 1 }], continueWith: { steps: 1 } });
      const flow = await finished(rootId, ALICE);
      await waitForNotification(rootId, 'flow.completed');
      await waitForNotification(rootId, 'job.completed');
      await notificationJob(flowEndNotificationId(rootId, 4));
      for (const member of flow.children) await settledInBull(QueueName.Http, member.jobId);
      expect(await holdsFor(() => about(rootId).length === 2, 1_000)).toBe(true);
      for (const member of flow.children) expect(about(member.jobId)).toEqual([]);
    });
  });
});

function signatureOf({ hit }: Received) {
  return {
    webhookId: hit.headers['webhook-id'] as string,
    timestamp: hit.headers['webhook-timestamp'] as string,
    body: hit.body,
    signatureHeader: hit.headers['webhook-signature'] as string,
  };
}
