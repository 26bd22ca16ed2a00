import { QueueName } from '@conveyor/contracts';
import { Conveyor } from '../support/conveyor';
import { TargetServer } from '../support/target-server';
import { waitFor } from '../support/wait-for';

const USER = 'orderly';

describe('Delays and priorities', () => {
  let conveyor: Conveyor;
  let target: TargetServer;

  beforeAll(async () => {
    target = await TargetServer.start();
    // One job at a time, so the order the target sees is the order the worker took the jobs in.
    conveyor = await Conveyor.start({ env: { WORKER_MAX_CONCURRENCY: '1' } });
  });

  afterAll(async () => {
    await conveyor?.close();
    await target?.close();
  });

  const submit = (path: string, options: object = {}) => conveyor.postHttpJob(USER, target.url(path), options);

  it('holds a delayed job back until its delay has passed', async () => {
    const submittedAt = Date.now();
    const res = await submit('/delayed', { delay: 1_500 });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ status: 'delayed', queuePosition: null });
    expect(res.body.data.estimatedWaitSeconds).toBeGreaterThanOrEqual(2);

    const early = await conveyor.http().get(`/api/v1/jobs/${res.body.data.jobId}`).set('x-user-id', USER);
    expect(early.body.data).toMatchObject({ status: 'delayed', runAt: expect.any(String) });

    await conveyor.waitForJob(res.body.data.jobId, USER, (j) => j.status === 'completed');
    const [hit] = target.hitsOn('/delayed');
    expect(hit.at - submittedAt).toBeGreaterThanOrEqual(1_500);
  });

  it('runs jobs queued while paused in priority order, first in first out within a priority', async () => {
    const queue = conveyor.queue(QueueName.Http);
    await queue.pause(); // global pause: no worker takes anything
    const submissions: Array<[string, number | string]> = [
      ['/p-low-1', 'low'],
      ['/p-5-1', 5],
      ['/p-urgent-1', 'urgent'],
      ['/p-5-2', 'normal'],
      ['/p-high-1', 'high'],
      ['/p-10-1', 10],
      ['/p-1-2', 1],
      ['/p-5-3', 5],
    ];
    const positions: number[] = [];
    for (const [path, priority] of submissions) {
      const res = await submit(path, { priority });
      expect(res.status).toBe(201);
      positions.push(res.body.data.queuePosition);
    }
    // Each new job's position counts the waiting jobs at its priority or more urgent.
    expect(positions).toEqual([1, 1, 1, 3, 2, 6, 2, 6]);

    const before = target.hits.length;
    await queue.resume();
    await waitFor(() => target.hits.length - before === submissions.length, { what: 'all prioritised jobs to run' });

    expect(target.hits.slice(before).map((h) => h.path)).toEqual([
      '/p-urgent-1',
      '/p-1-2',
      '/p-high-1',
      '/p-5-1',
      '/p-5-2',
      '/p-5-3',
      '/p-low-1',
      '/p-10-1',
    ]);
  });
});
