import { ConveyorError } from './conveyor-error';
import { resolveJobOptions } from './job-options';
import { QueueName } from './queue-name';
import { PLATFORM_QUEUE_POLICIES } from './queue-policy';

const policy = PLATFORM_QUEUE_POLICIES.find((p) => p.name === QueueName.Http)!;

describe(resolveJobOptions.name, () => {
  it('fills in the queue policy’s defaults', () => {
    expect(resolveJobOptions(policy)).toEqual({
      priority: 5,
      delayMs: 0,
      attempts: policy.attempts,
      backoff: policy.backoff,
      timeoutMs: policy.timeoutMs,
    });
  });

  it('takes the client’s choices, converting backoff to the internal spec', () => {
    expect(
      resolveJobOptions(policy, { priority: 'urgent', delay: 500, attempts: 5, timeout: 1000, backoff: { type: 'list', delays: [1, 2] } }),
    ).toEqual({
      priority: 1,
      delayMs: 500,
      attempts: 5,
      backoff: { type: 'list', delaysMs: [1, 2] },
      timeoutMs: 1000,
    });
  });

  it('reports every bad option at once, by field', () => {
    try {
      resolveJobOptions(policy, {
        priority: 0,
        delay: -1,
        attempts: policy.maxAttempts + 1,
        timeout: 1,
        backoff: { type: 'fixed', delay: -1 },
      });
      throw new Error('expected a ConveyorError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConveyorError);
      expect((error as ConveyorError).extras.fields?.map((f) => f.field)).toEqual([
        'options.priority',
        'options.delay',
        'options.attempts',
        'options.timeout',
        'options.backoff',
      ]);
    }
  });
});
