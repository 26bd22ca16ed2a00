import type { Queue } from 'bull';
import { landedAfterAll } from './uncertain-add';

/** A queue whose Redis answers EXISTS from `present`, after failing `failures` times (disconnected). */
function queueWith(present: Set<string>, failures = 0): { queue: Queue; asked: () => number } {
  let asked = 0;
  const client = {
    exists: async (key: string) => {
      asked++;
      if (failures-- > 0) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
      return present.has(key.replace('bull:http:', '')) ? 1 : 0;
    },
  };
  return { queue: { client, toKey: (id: string) => `bull:http:${id}` } as unknown as Queue, asked: () => asked };
}

describe(landedAfterAll.name, () => {
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
    expect(await landedAfterAll(queue, ['a'], adding, cause)).toEqual(new Set());
    expect(asked()).toBe(0);
  });

  it('takes an add that answered late as landed', async () => {
    const { queue } = queueWith(new Set());
    expect(await landedAfterAll(queue, ['a', 'b'], Promise.resolve(), new Error('no answer within 5000 ms'))).toEqual(new Set(['a', 'b']));
  });

  it('asks Redis, once it answers again, which jobs of a refused add are there', async () => {
    const { queue, asked } = queueWith(new Set(['b']), 2);
    const landed = await landedAfterAll(
      queue,
      ['a', 'b'],
      refused('Reached the max retries per request limit'),
      new Error('max retries'),
      5_000,
    );
    expect(landed).toEqual(new Set(['b']));
    expect(asked()).toBeGreaterThan(2);
  });

  it('cannot say while the add is still pending at the deadline', async () => {
    const { queue } = queueWith(new Set(['a']));
    expect(await landedAfterAll(queue, ['a'], new Promise(() => undefined), new Error('no answer'), 50)).toBeUndefined();
  });

  it('cannot say while Redis does not answer until the deadline', async () => {
    const { queue } = queueWith(new Set(['a']), Number.POSITIVE_INFINITY);
    expect(await landedAfterAll(queue, ['a'], refused('closed'), new Error('Connection is closed.'), 600)).toBeUndefined();
  });
});
