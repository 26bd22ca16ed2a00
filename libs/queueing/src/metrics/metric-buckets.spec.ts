import { HOUR_MS, MINUTE_MS, bucketIndex, hourlyBucket, outcomeCounts, percentile, sumCounts, trailingBuckets } from './metric-buckets';

describe(trailingBuckets.name, () => {
  it('lists the last buckets up to the current one, oldest first', () => {
    const now = Date.UTC(2025, 0, 1, 10, 30);
    const hours = trailingBuckets(now, HOUR_MS, 3);
    expect(hours.map((h) => new Date(h * HOUR_MS).toISOString())).toEqual([
      '2025-01-01T08:00:00.000Z',
      '2025-01-01T09:00:00.000Z',
      '2025-01-01T10:00:00.000Z',
    ]);
    expect(trailingBuckets(now, MINUTE_MS, 60)).toHaveLength(60);
    expect(trailingBuckets(now, MINUTE_MS, 60).at(-1)).toBe(bucketIndex(now, MINUTE_MS));
  });

  it('puts the first and last millisecond of an hour in the same bucket', () => {
    const start = Date.UTC(2025, 0, 1, 10);
    expect(bucketIndex(start, HOUR_MS)).toBe(bucketIndex(start + HOUR_MS - 1, HOUR_MS));
    expect(bucketIndex(start + HOUR_MS, HOUR_MS)).toBe(bucketIndex(start, HOUR_MS) + 1);
  });
});

describe(percentile.name, () => {
  it('takes the nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2], 95)).toBe(2);
    expect(percentile([], 95)).toBeNull();
  });
});

describe(hourlyBucket.name, () => {
  it('summarises counters, average and p95 of one hour', () => {
    const hash = { completed: '3', failed: '1', retried: '2', durationSumMs: '600', durations: '3' };
    expect(hourlyBucket(480_000, hash, ['100', '200', '300'])).toEqual({
      hour: new Date(480_000 * HOUR_MS).toISOString(),
      completed: 3,
      failed: 1,
      retried: 2,
      cancelled: 0,
      avgProcessingMs: 200,
      p95ProcessingMs: 300,
      successRate: 0.75,
    });
  });

  it('reports an hour without work as zeros and nulls', () => {
    expect(hourlyBucket(1, null, [])).toMatchObject({
      completed: 0,
      failed: 0,
      avgProcessingMs: null,
      p95ProcessingMs: null,
      successRate: null,
    });
  });
});

describe(sumCounts.name, () => {
  it('adds counters bucket by bucket', () => {
    expect(sumCounts([outcomeCounts({ completed: '2', failed: '1' }), outcomeCounts({ completed: '1', cancelled: '4' })])).toEqual({
      completed: 3,
      failed: 1,
      retried: 0,
      cancelled: 4,
    });
  });
});
