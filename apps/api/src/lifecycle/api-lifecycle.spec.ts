import { Logger } from '@nestjs/common';
import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import type { Request, Response } from 'express';
import { EventEmitter } from 'node:events';
import { ApiLifecycle } from './api-lifecycle';

/** Just enough of Express's request and response for the middleware. */
function exchange(path: string) {
  const res = Object.assign(new EventEmitter(), { headers: {} as Record<string, string> });
  const setHeader = (name: string, value: string) => (res.headers[name.toLowerCase()] = value);
  return { req: { path } as Request, res: Object.assign(res, { setHeader }) as unknown as Response & EventEmitter & typeof res };
}

describe(ApiLifecycle.name, () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));

  it('serves while ready; once draining past the delay refuses new requests but not health probes', async () => {
    const lifecycle = new ApiLifecycle();
    const next = jest.fn();
    const before = exchange('/api/v1/jobs');
    lifecycle.middleware(before.req, before.res, next);
    expect(next).toHaveBeenLastCalledWith();
    expect(lifecycle.ready).toBe(true);
    before.res.emit('close');

    const endStreams = jest.fn(async () => undefined);
    await lifecycle.drain({ delayMs: 0, graceMs: 1_000, endStreams });
    expect(lifecycle.ready).toBe(false);
    expect(lifecycle.stopWaiting.aborted).toBe(true); // Prefer: wait answers at once
    expect(endStreams).toHaveBeenCalled();

    const refused = exchange('/api/v1/jobs');
    lifecycle.middleware(refused.req, refused.res, next);
    const error = next.mock.lastCall?.[0] as ConveyorError;
    expect(error).toBeInstanceOf(ConveyorError);
    expect([error.code, error.extras.retryAfterSeconds]).toEqual([ErrorCode.ServiceUnavailable, 1]);
    expect(refused.res.headers.connection).toBe('close');

    const probe = exchange('/health/ready');
    lifecycle.middleware(probe.req, probe.res, next);
    expect(next).toHaveBeenLastCalledWith();
  });

  it('waits for requests in flight, at most graceMs', async () => {
    jest.useFakeTimers();
    try {
      const lifecycle = new ApiLifecycle();
      const inFlight = exchange('/api/v1/jobs');
      lifecycle.middleware(inFlight.req, inFlight.res, jest.fn());
      let drained = false;
      void lifecycle.drain({ delayMs: 0, graceMs: 5_000, endStreams: async () => undefined }).then(() => (drained = true));
      await jest.advanceTimersByTimeAsync(1_000);
      expect(drained).toBe(false);
      inFlight.res.emit('close');
      await jest.advanceTimersByTimeAsync(0);
      expect(drained).toBe(true);

      const stuck = new ApiLifecycle();
      const hung = exchange('/api/v1/jobs');
      stuck.middleware(hung.req, hung.res, jest.fn());
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      let gaveUp = false;
      void stuck.drain({ delayMs: 0, graceMs: 5_000, endStreams: async () => undefined }).then(() => (gaveUp = true));
      await jest.advanceTimersByTimeAsync(4_999);
      expect(gaveUp).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(gaveUp).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
