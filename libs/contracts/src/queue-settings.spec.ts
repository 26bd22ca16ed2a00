import { QueueName } from './queue-name';
import { queuePolicy } from './queue-policy';
import { effectivePolicy } from './queue-settings';

describe(effectivePolicy.name, () => {
  it('is the queue policy when nothing is overridden', () => {
    expect(effectivePolicy(QueueName.Http)).toEqual({ ...queuePolicy(QueueName.Http), rateLimit: null });
  });

  it('applies the overrides that are set and keeps the rest', () => {
    const policy = effectivePolicy(QueueName.Http, { concurrency: 2, rateLimit: { max: 5, durationMs: 1000 }, attempts: undefined });
    expect(policy).toMatchObject({
      concurrency: 2,
      attempts: queuePolicy(QueueName.Http).attempts,
      rateLimit: { max: 5, durationMs: 1000 },
    });
  });
});
