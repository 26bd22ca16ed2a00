import { Logger } from '@nestjs/common';
import { PeriodicLoop } from './periodic-loop';

describe(PeriodicLoop.name, () => {
  const logger = new Logger('test');
  let loop: PeriodicLoop | undefined;

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    // Fake time runs on while stopping, so a step in progress cannot hold the stop up.
    const stopping = loop?.stop();
    await jest.advanceTimersByTimeAsync(10_000);
    await stopping;
    loop = undefined;
    jest.useRealTimers();
  });

  const started = (step: () => Promise<unknown>, periodMs = 1_000, stopWaitMs = 5_000) => {
    loop = new PeriodicLoop({ what: 'Test step', periodMs, step, logger, stopWaitMs });
    loop.start();
    return loop;
  };

  it('runs a step one period after the start, then a period apart start to start', async () => {
    const startedAt: number[] = [];
    started(async () => {
      startedAt.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 300)); // the step takes 300 ms
    });
    const t0 = Date.now();
    await jest.advanceTimersByTimeAsync(3_500);
    expect(startedAt.map((t) => t - t0)).toEqual([1_000, 2_000, 3_000]);
  });

  it('never overlaps a slow step with the next one', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    started(async () => {
      running++;
      runs++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // longer than the period
      running--;
    });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(most).toBe(1);
    expect(runs).toBe(4); // at 1 000, 3 500, 6 000, 8 500 ms
  });

  it('logs a failed step and goes on', async () => {
    let runs = 0;
    started(async () => {
      runs++;
      throw new Error('Redis is gone');
    });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(runs).toBe(2);
    expect(logger.error).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: expect.stringContaining('Redis is gone') }) },
      'Test step failed',
    );
  });

  it('stops: no more steps, and waits for one in progress at most stopWaitMs', async () => {
    let runs = 0;
    const l = started(
      async () => {
        runs++;
        await new Promise(() => undefined); // never ends
      },
      1_000,
      200,
    );
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);
    let stopped = false;
    void l.stop().then(() => (stopped = true));
    expect(l.isStopped).toBe(true);
    await jest.advanceTimersByTimeAsync(199);
    expect(stopped).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(1);
  });
});
