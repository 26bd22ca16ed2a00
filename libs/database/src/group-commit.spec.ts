import { BatchOutcome, GroupCommit } from './group-commit';

describe(GroupCommit.name, () => {
  let batches: number[][];
  let release: Array<(outcome: BatchOutcome) => void>;
  const send = (items: number[]) =>
    new Promise<BatchOutcome>((resolve) => {
      batches.push(items);
      release.push(resolve);
    });

  beforeEach(() => {
    batches = [];
    release = [];
  });

  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('sends a lone write at once, and gathers the writes that arrive while a batch is in flight', async () => {
    const sut = new GroupCommit(send, 10, 1);
    const first = sut.write(1);
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => sut.write(n));
    expect(batches).toHaveLength(1);
    release[0]([undefined]);
    await first;
    await flush();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    release[1]([undefined, undefined, undefined]);
    await Promise.all(rest);
  });

  it('keeps at most maxInFlight batches under way, each at most maxBatch long', async () => {
    const sut = new GroupCommit(send, 2, 2);
    const writes = [1, 2, 3, 4, 5, 6].map((n) => sut.write(n));
    expect(batches).toEqual([[1], [2]]);
    release[0]([undefined]);
    await flush();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    release[1]([undefined]);
    release[2]([undefined, undefined]);
    await flush();
    expect(batches).toEqual([[1], [2], [3, 4], [5, 6]]);
    release[3]([undefined, undefined]);
    await Promise.all(writes);
  });

  it('fails only the items the batch refused, and every item of a batch that failed whole', async () => {
    const sut = new GroupCommit(send, 10, 1);
    const lone = sut.write(1);
    const [a, b] = [sut.write(2), sut.write(3)];
    release[0]([undefined]);
    await lone;
    await flush();
    const refused = new Error('duplicate');
    release[1]([undefined, refused]);
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toBe(refused);

    const failing = new GroupCommit<number>(() => Promise.reject(new Error('down')), 10, 1);
    await expect(failing.write(1)).rejects.toThrow('down');
  });
});
