import { JobProgress } from '@conveyor/contracts';
import { LiveProgress, PROGRESS_LINGER_MS } from './live-progress';

describe(LiveProgress.name, () => {
  let written: JobProgress[];
  const target = async (p: JobProgress) => void written.push(p);
  const at = (step: string, percent: number): JobProgress => ({ percent, step });

  beforeEach(() => {
    jest.useFakeTimers();
    written = [];
  });

  afterEach(() => jest.useRealTimers());

  it('writes nothing for an attempt that ends within the linger', async () => {
    const sut = new LiveProgress(target, Date.now());
    await sut.update(at('a', 0));
    await sut.update(at('b', 50));
    sut.end();
    await jest.advanceTimersByTimeAsync(PROGRESS_LINGER_MS * 2);
    expect(written).toEqual([]);
  });

  it('writes every step entered during the linger once it is over, in order, then later progress at once', async () => {
    const sut = new LiveProgress(target, Date.now());
    await sut.update(at('a', 0));
    await sut.update(at('b', 10));
    await sut.update(at('b', 15)); // a newer fraction of the same step replaces the held one
    await jest.advanceTimersByTimeAsync(PROGRESS_LINGER_MS - 1);
    expect(written).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(written).toEqual([at('a', 0), at('b', 15)]);
    await sut.update(at('c', 60));
    expect(written).toEqual([at('a', 0), at('b', 15), at('c', 60)]);
    sut.end();
    await sut.update(at('d', 90));
    expect(written).toHaveLength(3);
  });
});
