import { QueueName } from '@conveyor/contracts';
import { HOUR_MS, OutcomeSample, QueueMetrics, QueueStats, SAMPLES_PER_HOUR, bucketIndex } from '@conveyor/queueing';
import { Conveyor } from '../support/conveyor';

/** The outcome counters' batch script, on a real Redis (workers send their outcomes in batches). */
describe('Queue outcome counters in Redis', () => {
  let conveyor: Conveyor;
  let metrics: QueueMetrics;

  beforeAll(async () => {
    conveyor = await Conveyor.start({ workers: 0 });
    metrics = conveyor.app.get(QueueMetrics);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await conveyor?.close();
  });

  // The middle of an hour, so a batch never spans two.
  const at = bucketIndex(Date.now(), HOUR_MS) * HOUR_MS + 30 * 60_000;
  const completed = (durationMs: number): OutcomeSample => ({ outcome: 'completed', durationMs, at });

  it('counts a batch in one script and keeps exactly the sample cap, in the order Algorithm R says', async () => {
    const queue = QueueName.Http;
    // Up to two short of the cap, with a failure and a retry among them.
    const first = Array.from({ length: SAMPLES_PER_HOUR - 2 }, (_, i) => completed(i % 100));
    await metrics.recordOutcomes(queue, [...first, { outcome: 'failed', durationMs: 5, at }, { outcome: 'retried', durationMs: 5, at }]);
    // Then a batch that crosses the cap: two fill it, the third replaces slot ⌊0.999 × 1001⌋ = 999
    // (the second one's), the fourth falls outside the sample (⌊0.999 × 1002⌋ = 1000).
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    await metrics.recordOutcomes(queue, [completed(7001), completed(7002), completed(7003), completed(7004)]);
    jest.restoreAllMocks();

    const [bucket] = await metrics.hourlyBuckets(queue, 1, at);
    const total = first.reduce((sum, s) => sum + s.durationMs, 0) + 7001 + 7002 + 7003 + 7004;
    expect(bucket).toMatchObject({ completed: SAMPLES_PER_HOUR + 2, failed: 1, retried: 1 });
    expect(bucket.avgProcessingMs).toBe(Math.round(total / (SAMPLES_PER_HOUR + 2)));
    const q = conveyor.queue(queue);
    const samples = await q.client.lrange(q.toKey(`conveyor:metrics:h:${bucketIndex(at, HOUR_MS)}:samples`), 0, -1);
    expect(samples).toHaveLength(SAMPLES_PER_HOUR);
    expect(samples.slice(-2)).toEqual(['7001', '7003']);
    expect((await metrics.lastProcessedAt(queue))?.getTime()).toBe(at);
  });

  it('keeps the durations behind wait estimates, which a submit reuses for a second', async () => {
    const stats = conveyor.app.get(QueueStats);
    const queue = QueueName.Http;
    await stats.recordDurations(queue, [100, 300]);
    expect(await stats.averageDurationMs(queue)).toBe(200);
    expect(await stats.recentAverageDurationMs(queue)).toBe(200);
    await stats.recordDurations(queue, [800]);
    expect(await stats.averageDurationMs(queue)).toBe(400);
    // Read within the second: the same average, no Redis read.
    expect(await stats.recentAverageDurationMs(queue)).toBe(200);
  });
});
