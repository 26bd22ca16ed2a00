import { CircuitBreakers, CircuitOpenError, CircuitState } from './circuit-breakers';
import { DownstreamError } from './downstream-error';

describe(CircuitBreakers.name, () => {
  const settings = { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 200, rollingWindowMs: 10_000 };
  const failing = () => Promise.reject(new DownstreamError('down', 503));

  it('opens after repeated service failures, then refuses calls without making them, and tells its listeners', async () => {
    const breakers = new CircuitBreakers();
    breakers.configure(settings);
    const changes: Array<[string, CircuitState]> = [];
    breakers.onChange((service, state) => changes.push([service, state]));
    await expect(breakers.run('http://svc', failing)).rejects.toThrow('down');
    await expect(breakers.run('http://svc', failing)).rejects.toThrow('down');
    const call = jest.fn(() => Promise.resolve('ok'));
    const refused = await breakers.run('http://svc', call).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as CircuitOpenError).retryAfterMs).toBeGreaterThanOrEqual(200); // the reset period (and up to a fifth more)
    expect(call).not.toHaveBeenCalled();
    expect(changes).toEqual([['http://svc', 'open']]);
    // Another service has a breaker of its own.
    await expect(breakers.run('http://other', () => Promise.resolve(1))).resolves.toBe(1);
  });

  it('lets one probe through after the reset time and closes on its success', async () => {
    const breakers = new CircuitBreakers();
    breakers.configure(settings);
    await breakers.run('http://svc', failing).catch(() => undefined);
    await breakers.run('http://svc', failing).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(breakers.states()['http://svc']).toBe('half-open');
    await expect(breakers.run('http://svc', () => Promise.resolve('back'))).resolves.toBe('back');
    expect(breakers.states()['http://svc']).toBe('closed');
  });

  it('does not count a request the service refused as wrong (4xx) against it', async () => {
    const breakers = new CircuitBreakers();
    breakers.configure(settings);
    for (let i = 0; i < 4; i++) {
      await breakers.run('http://svc', () => Promise.reject(new DownstreamError('bad request', 400))).catch(() => undefined);
    }
    expect(breakers.states()['http://svc']).toBe('closed');
  });
});
