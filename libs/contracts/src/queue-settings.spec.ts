import { QueueName } from './queue-name';
import { PLATFORM_QUEUE_POLICIES } from './queue-policy';
import { effectivePolicy } from './queue-settings';

const http = PLATFORM_QUEUE_POLICIES.find((p) => p.name === QueueName.Http)!;

describe(effectivePolicy.name, () => {
  it('is the queue policy when nothing is overridden', () => {
    expect(effectivePolicy(http)).toEqual({ ...http, rateLimit: null });
  });

  it('applies the overrides that are set and keeps the rest', () => {
    const policy = effectivePolicy(http, { concurrency: 2, rateLimit: { max: 5, durationMs: 1000 }, attempts: undefined });
    expect(policy).toMatchObject({
      concurrency: 2,
      attempts: http.attempts,
      rateLimit: { max: 5, durationMs: 1000 },
    });
  });
});
