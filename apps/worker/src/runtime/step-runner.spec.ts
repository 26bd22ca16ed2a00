import { JobProgress, defineJobType, QueueName } from '@conveyor/contracts';
import { CpuTask, JobTimeoutError, JobContext } from '@conveyor/job-runtime';
import path from 'node:path';
import { AppConfig } from '@conveyor/config';
import { FlowFanIn, FlowStarter } from '@conveyor/queueing';
import { StepRunner } from './step-runner';
import { CpuPool } from './cpu-pool';

class Payload {}
const definition = defineJobType({
  type: 'test.steps',
  queue: QueueName.Http,
  description: 'test',
  payload: Payload,
  steps: [
    { name: 'one', weight: 1 },
    { name: 'two', weight: 3 },
  ],
});

const cpu = new CpuPool({ worker: { cpuThreads: 1 } } as AppConfig);
afterAll(() => cpu.onModuleDestroy());

const run = (handler: (ctx: JobContext) => Promise<unknown>, timeoutMs = 1_000) => {
  const progress: JobProgress[] = [];
  // These handlers never fan out: the flow services are not reached.
  const result = new StepRunner(cpu, {} as FlowStarter, {} as FlowFanIn).run(
    definition,
    { definition, run: handler },
    { jobId: 'j', attempt: 1, payload: {}, timeoutMs },
    {
      onProgress: async (p) => {
        progress.push(p);
      },
    },
  );
  return { result, progress };
};

describe(StepRunner.name, () => {
  it('reports each step with its weighted progress and returns the handler’s result', async () => {
    const { result, progress } = run(async (ctx) => {
      await ctx.step('one', async () => undefined);
      return ctx.step('two', async () => {
        await ctx.reportStepProgress(0.5);
        return 'done';
      });
    });
    await expect(result).resolves.toBe('done');
    expect(progress).toEqual([
      { percent: 0, step: 'one' },
      { percent: 25, step: 'two' },
      { percent: 62, step: 'two' },
    ]);
  });

  it('refuses a step the job type does not declare', async () => {
    await expect(run((ctx) => ctx.step('three', async () => 1)).result).rejects.toThrow('Step "three" is not declared');
  });

  it('fails the attempt at the timeout and stops the handler at its next step boundary', async () => {
    let reachedStepTwo = false;
    let release!: () => void;
    const stepOneDone = new Promise<void>((resolve) => (release = resolve));
    const { result, progress } = run(async (ctx) => {
      // Step one ignores the signal and finishes late; step two must never start.
      await ctx.step('one', () => stepOneDone);
      return ctx.step('two', async () => {
        reachedStepTwo = true;
      });
    }, 50);

    await expect(result).rejects.toBeInstanceOf(JobTimeoutError);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reachedStepTwo).toBe(false);
    expect(progress).toEqual([{ percent: 0, step: 'one' }]);
  });

  it('passes the abort signal to steps so I/O can stop at once', async () => {
    const { result } = run(
      (ctx) =>
        ctx.step(
          'one',
          (signal) =>
            new Promise((_, reject) => {
              signal.addEventListener('abort', () => reject(signal.reason));
            }),
        ),
      30,
    );
    await expect(result).rejects.toThrow('Attempt timed out after 30 ms');
  });

  describe('offload', () => {
    const spinUntil: CpuTask<{ shared: SharedArrayBuffer }, { threadId: number }> = {
      filename: path.join(__dirname, 'testing/spin-until.task.mjs'),
    };

    it('computes on a thread while the event loop stays free', async () => {
      const shared = new SharedArrayBuffer(8);
      const { result } = run((ctx) => ctx.step('one', () => ctx.offload(spinUntil, { shared })), 10_000);
      // Only this thread's timer ends the spin: were the work on this thread, it would never fire.
      setTimeout(() => Atomics.store(new Int32Array(shared), 0, 1), 20);
      const { threadId } = (await result) as { threadId: number };
      expect(threadId).toBeGreaterThan(0);
    });

    it('terminates the thread when the attempt aborts', async () => {
      const shared = new SharedArrayBuffer(8);
      const cells = new Int32Array(shared);
      const { result } = run((ctx) => ctx.step('one', () => ctx.offload(spinUntil, { shared })), 200);
      await expect(result).rejects.toBeInstanceOf(JobTimeoutError);
      await waitUntil(() => {
        const before = Atomics.load(cells, 1);
        return new Promise((resolve) => setTimeout(() => resolve(Atomics.load(cells, 1) === before), 50));
      });
    });
  });

  it('tells onFanOut when the handler fans out, so its end can be looked at as a flow’s', async () => {
    const fanOut = jest.fn().mockResolvedValue({ children: [], continuationId: null });
    const onFanOut = jest.fn();
    const runner = new StepRunner(cpu, { fanOut } as unknown as FlowStarter, {} as FlowFanIn);
    const hooks = { onProgress: async () => undefined, onFanOut };
    const handler = { definition, run: (ctx: JobContext) => ctx.step('one', () => ctx.fanOut({ children: [] })) };
    await runner.run(definition, handler, { jobId: 'j', attempt: 1, payload: {}, timeoutMs: 1_000 }, hooks);
    expect(onFanOut).toHaveBeenCalledTimes(1);
    expect(fanOut).toHaveBeenCalledWith('j', 'one', { children: [] });
    await runner.run(
      definition,
      { definition, run: async () => 'no fan-out' },
      { jobId: 'k', attempt: 1, payload: {}, timeoutMs: 1_000 },
      hooks,
    );
    expect(onFanOut).toHaveBeenCalledTimes(1);
  });

  it('lets handler errors through untouched', async () => {
    const boom = new Error('boom');
    await expect(run(() => Promise.reject(boom)).result).rejects.toBe(boom);
  });
});

/** Polls `check` until it holds (the loop counter stops once piscina has terminated the thread). */
async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('The thread kept spinning after the abort');
  }
}
