import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { JobsRepository } from '@conveyor/database';
import { QueueRegistry } from '@conveyor/queueing';
import { FlowCancellation } from '@conveyor/queueing/flows/flow-cancellation';
import { PROBE_COMMITS_COLLECTION, PROBE_STEPS_COLLECTION } from '../probe/probe.job';
import { Conveyor } from '../support/conveyor';
import { listen } from '../support/listen';
import { SseClient } from '../support/sse-client';
import { waitFor } from '../support/wait-for';

const USER = { 'x-user-id': 'flow-user' };

/** The routes each suite drives, as USER: submit a probe job (201), read a job's flow tree. */
function probeRoutes(conveyor: () => Conveyor) {
  return {
    submitProbe: async (data: object, options?: object): Promise<string> => {
      const res = await conveyor().http().post('/api/v1/jobs').set(USER).send({ type: 'test.probe', data, options });
      expect(res.status).toBe(201);
      return res.body.data.jobId;
    },
    flowOf: async (jobId: string) => (await conveyor().http().get(`/api/v1/jobs/${jobId}/flow`).set(USER)).body.data,
  };
}
const ADMIN_TOKEN = 'flows-admin-token-0123456789abcdef';

interface FlowNode {
  jobId: string;
  type: string;
  status: string;
  progress: number;
  role: string;
  key: string | null;
  children: FlowNode[];
}

const flatten = (node: FlowNode): FlowNode[] => [node, ...node.children.flatMap(flatten)];

/**
 * Flows (issue 15): a job's fan-out starts child jobs with ids derived from it, and a
 * continuation once they have all ended; `GET /api/v1/jobs/:jobId/flow` shows the tree. Run with
 * the probe job type, whose records tell how often each job's steps and commit ran.
 */
describe('Flows: fan-out, fan-in and the flow tree', () => {
  let conveyor: Conveyor;
  let db: Connection;

  beforeAll(async () => {
    conveyor = await Conveyor.start({
      probe: true,
      workers: 2,
      env: { THROTTLE_READ_LIMIT: '100000', ADMIN_API_TOKEN: ADMIN_TOKEN, THROTTLE_ADMIN_LIMIT: '100000' },
    });
    db = conveyor.app.get<Connection>(getConnectionToken());
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  const { submitProbe, flowOf } = probeRoutes(() => conveyor);
  const finished = (jobId: string) =>
    waitFor(
      async () => {
        const flow = await flowOf(jobId);
        return flow?.flow?.status !== 'running' ? flow : undefined;
      },
      { what: `flow ${jobId} to finish`, timeoutMs: 30_000 },
    );

  it("runs every child and then the continuation, which reads each child's outcome; a failed child does not sink it", async () => {
    const rootId = await submitProbe({
      steps: 2,
      children: [{ steps: 1 }, { steps: 2 }, { steps: 1, at: 1, fault: 'throw' }],
      childAttempts: 1,
      continueWith: { steps: 1 },
    });
    const flow = await finished(rootId);
    expect(flow.flow).toMatchObject({ status: 'completed', total: 5, progress: 100, counts: { completed: 4, failed: 1 } });
    expect(flow.flow.fanOuts).toEqual([
      { parentId: rootId, step: 'step-1', children: 3, policy: 'child-failure-continues', outcome: 'continued', reason: null },
    ]);
    expect(flow).toMatchObject({ jobId: rootId, role: 'root', key: null, status: 'completed' });
    expect(flow.children.map((c: FlowNode) => [c.role, c.key, c.status])).toEqual([
      ['child', 'c1', 'completed'],
      ['child', 'c2', 'completed'],
      ['child', 'c3', 'failed'],
      ['continuation', 'step-1', 'completed'],
    ]);
    const continuation = flow.children[3] as FlowNode;
    const read = await conveyor.http().get(`/api/v1/jobs/${continuation.jobId}`).set(USER);
    expect(read.body.data.result).toEqual({ committed: true, fanIn: ['c1:completed', 'c2:completed', 'c3:failed'] });
    expect(read.body.data.flow).toBeUndefined(); // it fanned out nothing
    // The root's own read shows the flow under it.
    const root = await conveyor.http().get(`/api/v1/jobs/${rootId}`).set(USER);
    expect(root.body.data.flow).toEqual({ status: 'completed', counts: { completed: 4, failed: 1 }, total: 5, progress: 100 });
    // A child's own tree is its subtree; the job API shows its parent's flow only through the root.
    expect((await flowOf(flow.children[0].jobId)).flow.total).toBe(1);
    // Nobody else sees the flow; an administrator does.
    expect((await conveyor.http().get(`/api/v1/jobs/${rootId}/flow`).set('x-user-id', 'someone-else')).status).toBe(404);
    const asAdmin = await conveyor.http().get(`/api/v1/jobs/${rootId}/flow`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.data).toMatchObject({ jobId: rootId, flow: { status: 'completed', total: 5 } });
  });

  it("gives children and the continuation the parent's priority, unless the fan-out sets their own", async () => {
    const rootId = await submitProbe(
      { steps: 1, children: [{ steps: 1 }, { steps: 1, priority: 2 }], continueWith: { steps: 1 } },
      { priority: 8 },
    );
    const flow = await finished(rootId);
    expect(flow.flow.status).toBe('completed');
    const queue = conveyor.app.get(QueueRegistry).get('http');
    const priorities = await Promise.all(
      flatten(flow).map(async (node) => {
        const read = (await conveyor.http().get(`/api/v1/jobs/${node.jobId}`).set(USER)).body.data;
        return [node.role, node.key, read.priority, (await queue.getJob(node.jobId))?.opts.priority];
      }),
    );
    // Both as recorded (the job read) and as Bull orders them.
    expect(priorities).toEqual([
      ['root', null, 8, 8],
      ['child', 'c1', 8, 8],
      ['child', 'c2', 2, 2],
      ['continuation', 'step-1', 8, 8],
    ]);
  });

  it('fails the fan-out and runs no continuation when a child fails under the `fail` policy', async () => {
    const rootId = await submitProbe({
      steps: 1,
      children: [{ steps: 1 }, { steps: 1, at: 1, fault: 'throw' }],
      childAttempts: 1,
      continueWith: { steps: 1 },
      onChildFailure: 'fail',
    });
    const flow = await finished(rootId);
    expect(flow.flow.status).toBe('failed');
    expect(flow.flow.fanOuts[0]).toMatchObject({
      outcome: 'failed',
      policy: 'child-failure-fails',
      reason: 'children did not complete: c2 failed',
    });
    expect(flow.children.map((c: FlowNode) => c.role)).toEqual(['child', 'child']);
  });

  it('makes each child once when the parent’s worker is killed after fanning out, and the flow still completes', async () => {
    // The root fans out at step 1, then its worker is SIGKILLed at step 2 (first execution only):
    // Bull redelivers the root, which fans out from step 1 again.
    const rootId = await submitProbe({
      steps: 3,
      at: 2,
      fault: 'crash',
      once: true,
      children: [{ steps: 2 }, { steps: 2 }, { steps: 2 }],
      continueWith: { steps: 1 },
    });
    await waitFor(() => conveyor.workers.some((w) => !w.running), { what: 'a worker to be killed', timeoutMs: 20_000 });
    await conveyor.startWorker();
    const flow = await finished(rootId);
    expect(flow.flow.status).toBe('completed');
    const jobs = flatten(flow);
    expect(jobs).toHaveLength(5);
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(5);
    // The root fanned out twice (its step 1 ran in both executions)…
    const rootFanOuts = await db.collection(PROBE_STEPS_COLLECTION).countDocuments({ jobId: rootId, step: 'step-1' });
    expect(rootFanOuts).toBe(2);
    // …yet made each child once: one record each, and each committed once (a child the killed worker
    // was running is redelivered: at-least-once, absorbed by the commit's unique key).
    const ids = jobs.filter((j) => j.role !== 'root').map((j) => j.jobId);
    for (const id of ids) expect(await db.collection(PROBE_COMMITS_COLLECTION).countDocuments({ jobId: id })).toBe(1);
    expect(await db.collection('jobs').countDocuments({ 'flow.rootId': rootId })).toBe(4);
  });

  it('cancels the flow under a job: running and waiting children stop, and the continuation never starts', async () => {
    const rootId = await submitProbe({
      steps: 1,
      children: [1, 2, 3].map(() => ({ steps: 2, at: 1, fault: 'sleep', ms: 30_000, untilRun: 1 })),
      continueWith: { steps: 1 },
    });
    await waitFor(async () => (await flowOf(rootId)).children.filter((c: FlowNode) => c.status === 'active').length === 3, {
      what: 'the three children to run',
    });
    // The root itself has completed (it only fanned out); its read shows the flow running under it…
    const running = (await conveyor.http().get(`/api/v1/jobs/${rootId}`).set(USER)).body.data;
    expect(running).toMatchObject({ status: 'completed', flow: { status: 'running', total: 4, counts: { completed: 1, active: 3 } } });
    expect(running.flow.progress).toBeLessThan(100);
    // …and cancelling it cancels its flow.
    const res = await conveyor.http().post(`/api/v1/jobs/${rootId}/cancel`).set(USER);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ cancelled: true, status: 'completed', descendantsCancelled: 3 });
    const flow = await finished(rootId);
    expect(flow.flow.status).toBe('cancelled');
    expect(flow.children.map((c: FlowNode) => [c.role, c.status])).toEqual([
      ['child', 'cancelled'],
      ['child', 'cancelled'],
      ['child', 'cancelled'],
    ]);
    expect(flow.flow.fanOuts[0]).toMatchObject({ outcome: 'cancelled' });
    // Once the flow has ended there is nothing left to cancel.
    expect((await conveyor.http().post(`/api/v1/jobs/${rootId}/cancel`).set(USER)).status).toBe(409);

    // Retrying it runs the cancelled children again (their second runs are quick), then the continuation.
    const retry = await conveyor.http().post(`/api/v1/jobs/${rootId}/retry`).set(USER);
    expect(retry.body.data).toMatchObject({ status: 'completed', descendantsRetried: 3 });
    const again = await finished(rootId);
    expect(again.flow.status).toBe('completed');
    expect(again.children.map((c: FlowNode) => [c.role, c.status])).toEqual([
      ['child', 'completed'],
      ['child', 'completed'],
      ['child', 'completed'],
      ['continuation', 'completed'],
    ]);
  });

  it('starts a continuation its fan-in never started (a worker died between the last child and the fan-in) from the flow-fan-in sweep', async () => {
    const rootId = await submitProbe({ steps: 1, children: [{ steps: 1 }], continueWith: { steps: 1 } });
    const done = await finished(rootId);
    const continuationId = done.children[1].jobId as string;
    // What that death leaves: the child ended, the fan-out open, no continuation in MongoDB or Bull.
    await (await conveyor.app.get(QueueRegistry).get('http').getJob(continuationId))?.remove();
    await db.collection('jobs').deleteOne({ _id: continuationId as never });
    await db.collection(PROBE_COMMITS_COLLECTION).deleteMany({ jobId: continuationId });
    await db
      .collection('flow_fan_outs')
      .updateOne({ parentId: rootId }, { $set: { endedAt: null, outcome: null, createdAt: new Date(Date.now() - 120_000) } });
    expect((await flowOf(rootId)).flow.status).toBe('running');

    const run = await conveyor.http().post('/api/v1/scheduler/jobs/flow-fan-in/trigger').set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(run.status).toBe(201);
    const again = await finished(rootId);
    expect(again.flow.status).toBe('completed');
    expect(again.children.map((c: FlowNode) => [c.jobId, c.status])).toEqual([
      [done.children[0].jobId, 'completed'],
      [continuationId, 'completed'],
    ]);
    expect(await db.collection(PROBE_COMMITS_COLLECTION).countDocuments({ jobId: continuationId })).toBe(1);
  });

  it('fails the parent at once, starting nothing, when a child is not a valid submission', async () => {
    // 50 attempts is past the http queue's cap of 10: refused when the parent fans out, before anything is written.
    const rootId = await submitProbe({ steps: 1, children: [{ steps: 1 }, { steps: 1 }], childAttempts: 50 });
    const job = await conveyor.waitForJob(rootId, USER['x-user-id'], (j) => j.status === 'failed');
    expect(job.attemptsMade).toBe(1); // a handler's mistake: never retried
    expect(job.error.message).toContain('Fan-out from step step-1');
    expect(await flowOf(rootId)).toMatchObject({ children: [], flow: { status: 'failed', total: 1, fanOuts: [] } });
    expect(await db.collection('flow_fan_outs').countDocuments({ parentId: rootId })).toBe(0);
  });

  it('starts nothing for a job cancelled before it fans out', async () => {
    // The root ignores the cancel for a moment (a stall), then reaches its fan-out: the attempt is aborted there.
    const rootId = await submitProbe({
      steps: 2,
      at: 1,
      fault: 'stall',
      ms: 3_000,
      fanOutLast: true,
      children: [1, 2].map(() => ({ steps: 1 })),
      continueWith: { steps: 1 },
    });
    // Cancelled once it is inside its stall (step 1 recorded), before the fan-out after it.
    await waitFor(() => db.collection(PROBE_STEPS_COLLECTION).findOne({ jobId: rootId, step: 'step-1' }), {
      what: 'the root to reach step 1',
    });
    const res = await conveyor.http().post(`/api/v1/jobs/${rootId}/cancel`).set(USER);
    expect(res.body.data).toEqual({ cancelled: true, status: 'cancelling' });
    const flow = await finished(rootId);
    expect(flow).toMatchObject({ status: 'cancelled', children: [], flow: { status: 'cancelled', total: 1 } });
    expect(await db.collection('flow_fan_outs').countDocuments({ parentId: rootId })).toBe(0);
  });

  it('retries a flow by re-running only what failed under it, and its continuation then runs', async () => {
    const rootId = await submitProbe({
      steps: 1,
      children: [{ steps: 1 }, { steps: 1, at: 1, fault: 'throw', untilRun: 1 }],
      childAttempts: 1,
      continueWith: { steps: 1 },
      onChildFailure: 'fail',
    });
    const failed = await finished(rootId);
    expect(failed.flow.status).toBe('failed');
    const [c1, c2] = failed.children.map((c: FlowNode) => c.jobId);

    // The root completed; its flow failed: the retry re-runs c2 only, then the continuation runs.
    const retry = await conveyor.http().post(`/api/v1/jobs/${rootId}/retry`).set(USER);
    expect(retry.status).toBe(200);
    expect(retry.body.data).toEqual({ jobId: rootId, status: 'completed', run: 1, descendantsRetried: 1 });
    const flow = await finished(rootId);
    expect(flow.flow.status).toBe('completed');
    expect(flow.children.map((c: FlowNode) => [c.key, c.status])).toEqual([
      ['c1', 'completed'],
      ['c2', 'completed'],
      ['step-1', 'completed'],
    ]);
    expect(await db.collection(PROBE_COMMITS_COLLECTION).countDocuments({ jobId: c1 })).toBe(1); // not run again
    expect(
      await db
        .collection(PROBE_COMMITS_COLLECTION)
        .find({ jobId: c2 })
        .map((c) => c.run)
        .toArray(),
    ).toEqual([2]);
    const continuation = await conveyor.http().get(`/api/v1/jobs/${flow.children[2].jobId}`).set(USER);
    expect(continuation.body.data.result.fanIn).toEqual(['c1:completed', 'c2:completed']);
    // Nothing failed any more: a retry has nothing to do.
    expect((await conveyor.http().post(`/api/v1/jobs/${rootId}/retry`).set(USER)).status).toBe(409);
  });

  it('runs again a continuation that failed on its own, not the children it followed', async () => {
    const rootId = await submitProbe({
      steps: 1,
      children: [{ steps: 1 }],
      childAttempts: 1,
      continueWith: { steps: 1, at: 1, fault: 'throw', untilRun: 1 },
    });
    const failed = await finished(rootId);
    expect(failed.flow.status).toBe('failed');
    const retry = await conveyor.http().post(`/api/v1/jobs/${rootId}/retry`).set(USER);
    expect(retry.body.data).toMatchObject({ status: 'completed', descendantsRetried: 1 });
    const flow = await finished(rootId);
    expect(flow.flow.status).toBe('completed');
    expect(await db.collection(PROBE_COMMITS_COLLECTION).countDocuments({ jobId: flow.children[0].jobId })).toBe(1);
    expect(
      await db
        .collection(PROBE_COMMITS_COLLECTION)
        .find({ jobId: flow.children[1].jobId })
        .map((c) => c.run)
        .toArray(),
    ).toEqual([2]);
  });

  it('runs a failed root again without running again the children it had already made', async () => {
    const rootId = await submitProbe(
      { steps: 2, at: 2, fault: 'throw', untilRun: 1, children: [{ steps: 1 }], continueWith: { steps: 1 } },
      { attempts: 1 },
    );
    const failed = await finished(rootId);
    expect([failed.status, failed.flow.status]).toEqual(['failed', 'failed']);
    const retry = await conveyor.http().post(`/api/v1/jobs/${rootId}/retry`).set(USER);
    expect(retry.body.data).toMatchObject({ jobId: rootId, run: 2, descendantsRetried: 0 });
    const flow = await finished(rootId);
    expect([flow.status, flow.flow.status]).toEqual(['completed', 'completed']);
    // Its second run fanned out from the same step and found its child done.
    expect(await db.collection(PROBE_STEPS_COLLECTION).countDocuments({ jobId: rootId, step: 'step-1' })).toBe(2);
    expect(await db.collection(PROBE_COMMITS_COLLECTION).countDocuments({ jobId: flow.children[0].jobId })).toBe(1);
    expect(flatten(flow)).toHaveLength(3);
  });

  it("streams a root's flow in its events: the root's own end is a status event, and the stream ends when the flow has", async () => {
    const api = await listen(conveyor.app);
    const rootId = await submitProbe({
      steps: 1,
      children: [1, 2].map(() => ({ steps: 2, at: 1, fault: 'sleep', ms: 1_500 })),
      continueWith: { steps: 1 },
    });
    const stream = await SseClient.open(api, `/api/v1/jobs/${rootId}/events`, USER);
    try {
      // The root completes once it has fanned out, while its children still sleep: the stream goes on.
      const rootDone = await stream.next(
        (e) => e.data.status === 'completed' && e.data.flow?.status === 'running',
        'a view of the completed root with its flow running',
      );
      expect(['snapshot', 'status']).toContain(rootDone.event);
      const final = await stream.next((e) => e.event === 'completed', 'the final event', 30_000);
      await stream.end();
      expect(stream.last()).toBe(final);
      expect(final.data).toMatchObject({ jobId: rootId, status: 'completed', flow: { status: 'completed', total: 4, progress: 100 } });
      expect(final.data.flow.counts).toEqual({ completed: 4 });
      // Flow events reported its progress on the way, each with a new summary.
      const flowEvents = stream.events.filter((e) => e.event === 'flow');
      expect(flowEvents.length).toBeGreaterThan(0);
      expect(flowEvents.every((e) => e.data.jobId === rootId && e.data.total >= 3)).toBe(true);
      expect(flowEvents.some((e) => e.data.status === 'running' && e.data.progress < 100)).toBe(true);
      const ids = stream.events.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      // By the final event every job of the flow had ended.
      expect((await flowOf(rootId)).flow).toMatchObject({ status: 'completed', counts: { completed: 4 } });

      // Reconnecting after the end: the snapshot and the final event at once, above Last-Event-ID.
      const again = await SseClient.open(api, `/api/v1/jobs/${rootId}/events`, { ...USER, 'last-event-id': String(final.id) });
      try {
        await again.end();
        expect(again.names()).toEqual(['snapshot', 'completed']);
        expect(Number(again.events[0].id)).toBe(Number(final.id) + 1);
      } finally {
        again.close();
      }
    } finally {
      stream.close();
    }
  });

  it('shows a job that started nothing as a flow of one', async () => {
    const jobId = await submitProbe({ steps: 1 });
    const flow = await finished(jobId);
    expect(flow).toMatchObject({ jobId, role: 'root', children: [], flow: { status: 'completed', total: 1, fanOuts: [] } });
  });
});

/** Cancelling a flow whose children still wait for a worker slot: they leave the queue and never run. */
describe('Flows: cancelling children that are still waiting', () => {
  let conveyor: Conveyor;
  let db: Connection;

  beforeAll(async () => {
    // One job at a time: once the root has fanned out, one child holds the only slot and the others wait.
    conveyor = await Conveyor.start({ probe: true, workers: 1, env: { WORKER_MAX_CONCURRENCY: '1', THROTTLE_READ_LIMIT: '100000' } });
    db = conveyor.app.get<Connection>(getConnectionToken());
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  const { submitProbe, flowOf } = probeRoutes(() => conveyor);
  const stepsRun = (jobId: string) => db.collection(PROBE_STEPS_COLLECTION).countDocuments({ jobId });

  it('cancels every child still waiting in the queue with its root, and none of them ever runs', async () => {
    const rootId = await submitProbe({
      steps: 1,
      children: [1, 2, 3, 4].map(() => ({ steps: 2, at: 1, fault: 'sleep', ms: 30_000 })),
      continueWith: { steps: 1 },
    });
    // The root completed (it only fanned out) and gave its slot to one child, asleep at step 1; the other three wait.
    const before = await waitFor(
      async () => {
        const flow = await flowOf(rootId);
        const active = flow.children.filter((c: FlowNode) => c.status === 'active');
        return flow.status === 'completed' && active.length === 1 && (await stepsRun(active[0].jobId)) > 0 ? flow : undefined;
      },
      { what: 'one child to run while the others wait' },
    );
    const running = before.children.find((c: FlowNode) => c.status === 'active').jobId as string;
    const waiting = before.children.filter((c: FlowNode) => c.jobId !== running).map((c: FlowNode) => c.jobId as string);
    expect(before.children.map((c: FlowNode) => c.status).sort()).toEqual(['active', 'waiting', 'waiting', 'waiting']);
    for (const id of waiting) expect(await stepsRun(id)).toBe(0);

    const res = await conveyor.http().post(`/api/v1/jobs/${rootId}/cancel`).set(USER);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ cancelled: true, status: 'completed', descendantsCancelled: 4 });
    const flow = await waitFor(
      async () => {
        const now = await flowOf(rootId);
        return now.flow.status !== 'running' ? now : undefined;
      },
      { what: 'the flow to end', timeoutMs: 30_000 },
    );
    expect(flow.flow.status).toBe('cancelled');
    expect(flow.children.map((c: FlowNode) => [c.role, c.status])).toEqual([1, 2, 3, 4].map(() => ['child', 'cancelled']));
    // The waiting children were taken out of Bull, not left to run once the slot freed.
    const queue = conveyor.app.get(QueueRegistry).get('http');
    for (const id of waiting) expect(await queue.getJob(id)).toBeNull();
    // A job submitted after them runs only once the queue ahead of it is empty: by then none of them has run.
    const afterId = await submitProbe({ steps: 1 });
    await conveyor.waitForJob(afterId, USER['x-user-id'], (j) => j.status === 'completed', 30_000);
    for (const id of waiting) expect(await stepsRun(id)).toBe(0);
    expect(await db.collection(PROBE_COMMITS_COLLECTION).countDocuments({ jobId: { $in: [running, ...waiting] } })).toBe(0);
  });

  // The race behind a flaky count: a worker can take a waiting child and stop it at its first step
  // (seeing the flow's cancel request) before the flow's cancel removes it, so the removal finds it
  // finished, or the sweep records it cancelled first. Both outcomes are set up here with a cancel
  // of the job itself, and the flow's cancel then works from a record read before that.
  it('counts a job that ended cancelled between the read of the flow and its removal', async () => {
    const cancellation = conveyor.app.get(FlowCancellation);
    const jobs = conveyor.app.get(JobsRepository);
    const cancelNow = async (jobId: string) => {
      expect((await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set(USER)).status).toBe(200);
      await conveyor.waitForJob(jobId, USER['x-user-id'], (j) => j.conveyorStatus === 'cancelled', 30_000);
    };

    // Stopped while running: Bull has it as failed, so the removal finds it finished.
    const runningId = await submitProbe({ steps: 2, at: 1, fault: 'sleep', ms: 30_000 });
    await conveyor.waitForJob(runningId, USER['x-user-id'], (j) => j.conveyorStatus === 'active', 30_000);
    const readWhileRunning = (await jobs.findByIdUnscoped(runningId))!;
    await cancelNow(runningId);
    expect(await cancellation.cancelJob(readWhileRunning)).toBe(true);

    // Removed and recorded cancelled already: the flow's own settlement finds it settled.
    const delayedId = await submitProbe({ steps: 1 }, { delay: 60_000 });
    const readWhileQueued = (await jobs.findByIdUnscoped(delayedId))!;
    await cancelNow(delayedId);
    expect(await cancellation.cancelJob(readWhileQueued)).toBe(true);

    // A job that completed is not counted.
    const doneId = await submitProbe({ steps: 1 });
    const readBefore = (await jobs.findByIdUnscoped(doneId))!;
    await conveyor.waitForJob(doneId, USER['x-user-id'], (j) => j.conveyorStatus === 'completed', 30_000);
    expect(await cancellation.cancelJob(readBefore)).toBe(false);
  });
});

/** A parent whose worker died between recording its children and enqueueing them: the sweep enqueues them. */
describe('Flows: a child recorded but never enqueued', () => {
  let conveyor: Conveyor;

  beforeAll(async () => {
    // One job at a time: the root holds the only slot while its children wait in the queue.
    conveyor = await Conveyor.start({
      probe: true,
      workers: 1,
      env: { WORKER_MAX_CONCURRENCY: '1', RECONCILE_INTERVAL_MS: '300', RECONCILE_GRACE_MS: '500', THROTTLE_READ_LIMIT: '100000' },
    });
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  it('is enqueued again from its record by the reconcile sweep (not failed as missing), and the flow completes', async () => {
    const res = await conveyor
      .http()
      .post('/api/v1/jobs')
      .set(USER)
      .send({
        type: 'test.probe',
        data: { steps: 2, at: 2, fault: 'stall', ms: 2_000, children: [{ steps: 1 }, { steps: 1 }], continueWith: { steps: 1 } },
      });
    const rootId = res.body.data.jobId as string;
    const flowOf = async () => (await conveyor.http().get(`/api/v1/jobs/${rootId}/flow`).set(USER)).body.data;
    await waitFor(async () => (await flowOf()).children.length === 2, { what: 'the root to fan out' });
    // What the parent's death would leave: c2 recorded, waiting, and not in the queue.
    const c2 = (await flowOf()).children[1].jobId as string;
    await (await conveyor.app.get(QueueRegistry).get('http').getJob(c2))!.remove();
    const done = await waitFor(
      async () => {
        const flow = await flowOf();
        return flow.flow.status !== 'running' ? flow : undefined;
      },
      { what: 'the flow to finish', timeoutMs: 30_000 },
    );
    expect(done.flow.status).toBe('completed');
    const continuation = done.children.find((c: FlowNode) => c.role === 'continuation');
    const read = await conveyor.http().get(`/api/v1/jobs/${continuation.jobId}`).set(USER);
    expect(read.body.data.result.fanIn).toEqual(['c1:completed', 'c2:completed']);
  });
});
