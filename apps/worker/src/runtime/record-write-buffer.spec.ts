import { JobStatus } from '@conveyor/contracts';
import { JobWrite, JobsRepository } from '@conveyor/database';
import { BACKGROUND_LINGER_MS, RecordWriteBuffer } from './record-write-buffer';

/** Records the batches the buffer sends; each batch completes when the test lets it. */
class RecordingRepository {
  readonly batches: JobWrite[][] = [];
  async applyInOrder(writes: readonly JobWrite[]): Promise<void> {
    this.batches.push(structuredClone([...writes]));
  }
}

const active = (jobId: string, seq = 5): JobWrite => ({ kind: 'transition', transition: { jobId, seq, status: JobStatus.Active } });
const completed = (jobId: string, seq = 6): JobWrite => ({ kind: 'transition', transition: { jobId, seq, status: JobStatus.Completed } });
const progress = (jobId: string, percent: number, seq = 5): JobWrite => ({
  kind: 'progress',
  update: { jobId, seq, progress: { percent, step: 's' } },
});

const jobOfWrite = (w: JobWrite) => (w.kind === 'transition' ? w.transition.jobId : w.update.jobId);

describe(RecordWriteBuffer.name, () => {
  let repository: RecordingRepository;
  let sut: RecordWriteBuffer;

  beforeEach(() => {
    jest.useFakeTimers();
    repository = new RecordingRepository();
    sut = new RecordWriteBuffer(repository as unknown as JobsRepository);
  });

  afterEach(() => jest.useRealTimers());

  /** Keeps the first batch under way until the returned function is called. */
  function holdFirstBatch(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const send = repository.applyInOrder.bind(repository);
    repository.applyInOrder = async (writes) => {
      const first = repository.batches.length === 0;
      await send(writes);
      if (first) await held;
    };
    return release;
  }

  it('writes an outcome at once and resolves when it is durable', async () => {
    await sut.writeNow(completed('a'));
    expect(repository.batches).toEqual([[completed('a')]]);
  });

  it('writes a short job once: its start and progress are folded into the outcome', async () => {
    const started = sut.writeLater(active('a'));
    const stepped = sut.writeLater(progress('a', 50));
    await sut.writeNow(completed('a'));
    await Promise.all([started, stepped]);
    expect(repository.batches).toEqual([[completed('a')]]);
  });

  it('sends start and progress after the linger, progress folded into the start', async () => {
    const done = Promise.all([sut.writeLater(active('a')), sut.writeLater(progress('a', 10)), sut.writeLater(progress('a', 40))]);
    expect(repository.batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(BACKGROUND_LINGER_MS);
    await done;
    expect(repository.batches).toEqual([
      [{ kind: 'transition', transition: { jobId: 'a', seq: 5, status: JobStatus.Active, set: { progress: { percent: 40, step: 's' } } } }],
    ]);
  });

  it('gathers the writes that arrive while a batch is under way', async () => {
    const jobs = ['a', 'b', 'c', 'd', 'e'];
    await Promise.all(jobs.map((id) => sut.writeNow(completed(id))));
    expect(repository.batches).toEqual([[completed('a')], [completed('b'), completed('c'), completed('d'), completed('e')]]);
  });

  it('starts a second batch at once only when enough writes wait to fill it', async () => {
    const jobs = Array.from({ length: 10 }, (_, i) => `job-${i}`);
    const release = holdFirstBatch();
    const written = jobs.map((id) => sut.writeNow(completed(id)));
    await jest.advanceTimersByTimeAsync(0);
    // The 9th write makes 8 waiting: a second batch goes; the 10th waits for a free slot.
    expect(repository.batches.map((b) => b.length)).toEqual([1, 8]);
    release();
    await Promise.all(written);
    expect(repository.batches.map((b) => b.length)).toEqual([1, 8, 1]);
  });

  it('never sends a job’s write while an earlier write of that job is under way', async () => {
    const release = holdFirstBatch();
    const first = sut.writeNow(progress('x', 10));
    const others = Array.from({ length: 8 }, (_, i) => sut.writeNow(completed(`other-${i}`)));
    const later = sut.writeNow(progress('x', 20));
    await jest.advanceTimersByTimeAsync(0);
    // A second batch went out for the 8 others; x's later write waits for its first.
    expect(repository.batches.map((b) => b.map(jobOfWrite))).toEqual([['x'], Array.from({ length: 8 }, (_, i) => `other-${i}`)]);
    release();
    await Promise.all([first, ...others, later]);
    expect(repository.batches.at(-1)).toEqual([progress('x', 20)]);
  });

  it('does not fold progress of another attempt', async () => {
    const later = sut.writeLater(active('a', 9));
    const stale = sut.writeLater(progress('a', 70, 5));
    await jest.advanceTimersByTimeAsync(BACKGROUND_LINGER_MS);
    await Promise.all([later, stale]);
    expect(repository.batches.flat()).toEqual([active('a', 9), progress('a', 70, 5)]);
  });

  it('sends lingering writes when the worker shuts down', async () => {
    const pending = sut.writeLater(active('a'));
    await sut.onModuleDestroy();
    await pending;
    expect(repository.batches).toEqual([[active('a')]]);
  });

  it('rejects every write of a batch that failed for an outage', async () => {
    repository.applyInOrder = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoNetworkError' }));
    const writes = ['a', 'b', 'c'].map((id) => sut.writeNow(completed(id)));
    for (const write of writes) await expect(write).rejects.toThrow('ECONNREFUSED');
  });

  it('sends a batch refused whole again write by write, so one bad write fails alone', async () => {
    const send = repository.applyInOrder.bind(repository);
    repository.applyInOrder = async (writes) => {
      if (writes.some((w) => jobOfWrite(w) === 'bad')) {
        if (writes.length > 1) throw new Error('unsupported Unicode escape sequence');
        throw new Error('refused alone');
      }
      await send(writes);
    };
    const first = sut.writeNow(completed('a'));
    const batched = ['b', 'bad', 'c'].map((id) => sut.writeNow(completed(id)));
    await first;
    await expect(batched[0]).resolves.toBeUndefined();
    await expect(batched[1]).rejects.toThrow('refused alone');
    await expect(batched[2]).resolves.toBeUndefined();
    expect(repository.batches.flat().map(jobOfWrite)).toEqual(['a', 'b', 'c']);
  });
});
