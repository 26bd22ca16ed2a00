import { loadConfig } from '@conveyor/config';
import { ApiMetrics } from './api-metrics';

describe(ApiMetrics.name, () => {
  const statsOf = (stats: Record<string, string> | Error) => {
    const hgetall = jest.fn(async () => {
      if (stats instanceof Error) throw stats;
      return stats;
    });
    const sut = new ApiMetrics(
      loadConfig({ BULL_PREFIX: 'px' }),
      { all: () => [] } as never,
      {} as never,
      { list: async () => [] } as never,
      { commandClient: () => ({ hgetall }) } as never,
    );
    return { sut, hgetall };
  };

  it('exposes the scheduler’s Redis counters per schedule and outcome, read at scrape time', async () => {
    const { sut, hgetall } = statsOf({
      ticks: '42',
      fired: '7',
      refused: '1',
      'fired:nightly-report': '5',
      'fired:cleanup-expired-jobs': '2',
      'refused:nightly-report': '1',
      lastTickAt: '2030-01-01T00:00:00.000Z',
    });
    const text = await sut.registry.metrics();
    expect(hgetall).toHaveBeenCalledWith('px:conveyor:scheduler:stats');
    expect(text).toContain('conveyor_scheduler_runs_total{schedule="nightly-report",outcome="submitted"} 5');
    expect(text).toContain('conveyor_scheduler_runs_total{schedule="nightly-report",outcome="refused"} 1');
    expect(text).toContain('conveyor_scheduler_runs_total{schedule="cleanup-expired-jobs",outcome="submitted"} 2');
    expect(text).toContain('conveyor_scheduler_ticks_total 42');
    // Totals and timestamps are not per-schedule series.
    expect(text).not.toMatch(/conveyor_scheduler_runs_total\{schedule="(fired|refused|lastTickAt|ticks)"/);
  });

  it('leaves the scheduler series out of a scrape while Redis does not answer', async () => {
    const { sut } = statsOf(new Error('connection closed'));
    const text = await sut.registry.metrics();
    expect(text).not.toMatch(/^conveyor_scheduler_runs_total\{/m);
    expect(text).toContain('conveyor_http_requests_total');
  });
});
