import { Logger } from '@nestjs/common';
import { JobStatus } from '@conveyor/contracts';
import { JobRecordWriter, OUTCOME_WRITE_BUDGET_MS } from './job-record-writer';
import { RecordWriteBuffer } from './record-write-buffer';

/** An error as the MongoDB driver names it when no server answers. */
function unreachable(): Error {
  const error = new Error('Server selection timed out after 5000 ms');
  error.name = 'MongoServerSelectionError';
  return error;
}

describe(JobRecordWriter.name, () => {
  const ref = { jobId: 'job-1', run: 1, attempt: 1, startedAt: new Date() };
  const writeNow = jest.fn();
  const writer = new JobRecordWriter({ writeNow } as unknown as RecordWriteBuffer);

  beforeEach(() => {
    jest.useFakeTimers();
    writeNow.mockReset();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.useRealTimers());

  it('retries an outcome while the database is unreachable, then writes it', async () => {
    writeNow.mockRejectedValueOnce(unreachable()).mockRejectedValueOnce(unreachable()).mockResolvedValue(undefined);
    const done = writer.completed(ref, { ok: true });
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(done).resolves.toBeUndefined();
    expect(writeNow).toHaveBeenCalledTimes(3);
    expect(writeNow.mock.calls[2][0].transition).toMatchObject({
      jobId: 'job-1',
      status: JobStatus.Completed,
      set: { result: { ok: true } },
    });
  });

  it('gives up after OUTCOME_WRITE_BUDGET_MS', async () => {
    writeNow.mockRejectedValue(unreachable());
    const done = writer.failed(ref, new Error('boom'));
    const outcome = expect(done).rejects.toThrow('Server selection timed out');
    await jest.advanceTimersByTimeAsync(OUTCOME_WRITE_BUDGET_MS + 1_000);
    await outcome;
    const tries = writeNow.mock.calls.length;
    expect(tries).toBeGreaterThan(5);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(writeNow).toHaveBeenCalledTimes(tries);
  });

  it('does not retry an error that is not about reaching the database', async () => {
    writeNow.mockRejectedValue(new Error('E11000 duplicate key'));
    await expect(writer.cancelled(ref)).rejects.toThrow('E11000');
    expect(writeNow).toHaveBeenCalledTimes(1);
  });
});
