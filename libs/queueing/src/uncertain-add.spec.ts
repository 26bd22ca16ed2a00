import type { Queue } from 'bull';
import { findLandedJobs } from './uncertain-add';

/** A queue whose Redis answers EXISTS (any number of keys) from `present`, after failing `failures` times (disconnected). */
function queueWith(present: Set<string>, failures = 0): { queue: Queue; asked: () => number } {
  let asked = 0;
  const client = {
    exists: async (...keys: string[]) => {
      asked++;
      if (failures-- > 0) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
      return keys.filter((key) => present.has(key.replace('bull:http:', ''))).length;
    },
  };
  return { queue: { client, toKey: (id: string) => `bull:http:${id}` } as unknown as Queue, asked: () => asked };
}

describe(findLandedJobs.name, () => {
  /** An add ioredis gave up on (already seen by the submit's own wait, as in the producer). */
  const refused = (message: string) => {
    const adding = Promise.reject(new Error(message));
    adding.catch(() => undefined);
    return adding;
  };

  it('costs nothing for an add ioredis never sent', async () => {
    const { queue, asked } = queueWith(new Set(['a']));
    const cause = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const adding = refused(cause.message);
    expect(await findLandedJobs(queue, ['a'], adding, cause)).toEqual({ landed: new Set() });
    expect(asked()).toBe(0);
  });

  it('takes an add that answered late as landed', async () => {
    const { queue } = queueWith(new Set());
    expect(await findLandedJobs(queue, ['a', 'b'], Promise.resolve(), new Error('no answer within 5000 ms'))).toEqual({
      landed: new Set(['a', 'b']),
    });
  });

  it('asks Redis, once it answers again, which jobs of a refused add are there', async () => {
    const { queue, asked } = queueWith(new Set(['b']), 2);
    const found = await findLandedJobs(queue, ['a', 'b'], refused('max retries'), new Error('max retries'), Date.now() + 5_000);
    expect(found).toEqual({ landed: new Set(['b']) });
    // Two refusals while disconnected, one EXISTS for both keys, then one per key (only one is there).
    expect(asked()).toBe(5);
  });

  it('cannot say while the add is still pending at the deadline', async () => {
    const { queue } = queueWith(new Set(['a']));
    const found = await findLandedJobs(queue, ['a'], new Promise(() => undefined), new Error('no answer'), Date.now() + 50);
    expect(found).toEqual({ landed: undefined, why: 'the add was still unanswered' });
  });

  it('cannot say while Redis does not answer until the deadline', async () => {
    const { queue } = queueWith(new Set(['a']), Number.POSITIVE_INFINITY);
    const found = await findLandedJobs(queue, ['a'], refused('closed'), new Error('Connection is closed.'), Date.now() + 600);
    expect(found.landed).toBeUndefined();
    expect(found.why).toMatch(/^Redis did not answer: Stream isn't writeable/);
  });
});
