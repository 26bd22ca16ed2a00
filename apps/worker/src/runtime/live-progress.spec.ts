import { JobProgress } from '@conveyor/contracts';
import { LiveProgress, PROGRESS_LINGER_MS } from './live-progress';

describe(LiveProgress.name, () => {
  let written: JobProgress[];
  const target = async (p: JobProgress) => void written.push(p);
  const step = (percent: number): JobProgress => ({ percent, step: `s${percent}` });

  beforeEach(() => {
    jest.useFakeTimers();
    written = [];
  });

  afterEach(() => jest.useRealTimers());

  it('writes nothing for an attempt that ends within the linger', async () => {
    const sut = new LiveProgress(target, Date.now());
    await sut.update(step(0));
    await sut.update(step(50));
    sut.end();
    await jest.advanceTimersByTimeAsync(PROGRESS_LINGER_MS * 2);
    expect(written).toEqual([]);
  });

  it('writes the latest early progress once the linger is over, and later progress at once', async () => {
    const sut = new LiveProgress(target, Date.now());
    await sut.update(step(0));
    await sut.update(step(30));
    await jest.advanceTimersByTimeAsync(PROGRESS_LINGER_MS - 1);
    expect(written).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(written).toEqual([step(30)]);
    await sut.update(step(60));
    expect(written).toEqual([step(30), step(60)]);
    sut.end();
    await sut.update(step(90));
    expect(written).toEqual([step(30), step(60)]);
  });
});
