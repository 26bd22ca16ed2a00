import {
  HEALTH_THRESHOLDS,
  QueueHealthInput,
  evaluateQueueHealth,
  failureRate,
  isStuck,
  metricsRequestAllowed,
  worstStatus,
} from './observability';

const calm: QueueHealthInput = { waiting: 0, active: 0, completed: 0, failed: 0, stuck: 0, workers: 1, capacity: 10 };

describe(evaluateQueueHealth.name, () => {
  it('calls a quiet queue with a live worker healthy', () => {
    expect(evaluateQueueHealth(calm)).toEqual({ status: 'healthy', reasons: [] });
  });

  it('warns above 100 waiting jobs, not at 100', () => {
    expect(evaluateQueueHealth({ ...calm, waiting: 100 }).status).toBe('healthy');
    const verdict = evaluateQueueHealth({ ...calm, waiting: 101 });
    expect(verdict.status).toBe('warning');
    expect(verdict.reasons).toEqual(['101 jobs waiting (threshold 100)']);
  });

  it('warns above a 10% failure rate and errs above 25%', () => {
    expect(evaluateQueueHealth({ ...calm, completed: 90, failed: 10 }).status).toBe('healthy');
    expect(evaluateQueueHealth({ ...calm, completed: 89, failed: 11 }).status).toBe('warning');
    expect(evaluateQueueHealth({ ...calm, completed: 75, failed: 25 }).status).toBe('warning');
    const verdict = evaluateQueueHealth({ ...calm, completed: 1, failed: 1 });
    expect(verdict.status).toBe('error');
    expect(verdict.reasons[0]).toBe('50% of jobs failed in the last 60 min (1 of 2; threshold 25%)');
  });

  it('warns about stuck jobs and about workers above 90% of their concurrency', () => {
    expect(evaluateQueueHealth({ ...calm, stuck: 1 }).status).toBe('warning');
    expect(evaluateQueueHealth({ ...calm, active: 9 }).status).toBe('healthy');
    expect(evaluateQueueHealth({ ...calm, active: 10 }).reasons).toEqual(['workers at 100% of their concurrency (threshold 90%)']);
  });

  it('warns about a long average processing time only when a threshold is set', () => {
    const slow = { ...calm, averageProcessingMs: 3 * 3_600_000 };
    expect(evaluateQueueHealth(slow).status).toBe('healthy');
    const twoHours = { ...HEALTH_THRESHOLDS, averageProcessingWarningMs: 2 * 3_600_000 };
    expect(evaluateQueueHealth({ ...calm, averageProcessingMs: 2 * 3_600_000 }, twoHours).status).toBe('healthy');
    expect(evaluateQueueHealth(slow, twoHours).reasons).toEqual(['jobs take 3 h on average (threshold 2 h)']);
  });

  it('errs when jobs wait and no live worker consumes the queue', () => {
    expect(evaluateQueueHealth({ ...calm, workers: 0, capacity: 0 }).status).toBe('healthy');
    expect(evaluateQueueHealth({ ...calm, waiting: 1, workers: 0, capacity: 0 }).status).toBe('error');
  });

  it('reports every threshold crossed, with the worst status', () => {
    const verdict = evaluateQueueHealth({ ...calm, waiting: 500, stuck: 2, completed: 0, failed: 3 });
    expect(verdict.status).toBe('error');
    expect(verdict.reasons).toHaveLength(3);
  });
});

describe(isStuck.name, () => {
  it('needs both twice the average and the minimum age', () => {
    expect(isStuck(HEALTH_THRESHOLDS.stuckMinAgeMs + 1, 10)).toBe(true);
    expect(isStuck(HEALTH_THRESHOLDS.stuckMinAgeMs, 10)).toBe(false);
    expect(isStuck(100_000, 60_000)).toBe(false);
    expect(isStuck(120_001, 60_000)).toBe(true);
  });
});

describe(failureRate.name, () => {
  it('is failed over finished, or null with nothing finished', () => {
    expect(failureRate(0, 0)).toBeNull();
    expect(failureRate(3, 1)).toBe(0.25);
  });
});

describe(worstStatus.name, () => {
  it('orders healthy < warning < error', () => {
    expect(worstStatus([])).toBe('healthy');
    expect(worstStatus(['healthy', 'warning', 'healthy'])).toBe('warning');
    expect(worstStatus(['warning', 'error', 'healthy'])).toBe('error');
  });
});

describe(metricsRequestAllowed.name, () => {
  const token = 'metrics-token-0123456789';

  it('allows everyone when no token is configured', () => {
    expect(metricsRequestAllowed(undefined, undefined)).toBe(true);
  });

  it('needs the exact bearer token when one is configured', () => {
    expect(metricsRequestAllowed(`Bearer ${token}`, token)).toBe(true);
    expect(metricsRequestAllowed(undefined, token)).toBe(false);
    expect(metricsRequestAllowed(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsRequestAllowed('Bearer short', token)).toBe(false);
    expect(metricsRequestAllowed(`Basic ${token}`, token)).toBe(false);
    expect(metricsRequestAllowed([`Bearer ${token}`, `Bearer ${token}`], token)).toBe(false);
  });
});
