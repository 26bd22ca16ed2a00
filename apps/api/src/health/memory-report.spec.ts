import { memoryReport } from './memory-report';

const MB = 1024 * 1024;

describe(memoryReport.name, () => {
  it('reports MB and the share of the heap limit in use, as seed 004 prints it', () => {
    const report = memoryReport({ heapUsed: 45 * MB, heapTotal: 50 * MB, rss: 120 * MB }, 128 * MB);
    expect(report).toEqual({ heapUsed: 45, heapTotal: 50, heapLimit: 128, rss: 120, usage: '35.16%', alert: false });
  });

  it('raises the alert above 85 % of the limit, however full heapTotal is', () => {
    expect(memoryReport({ heapUsed: 86 * MB, heapTotal: 90 * MB, rss: 0 }, 100 * MB).alert).toBe(true);
    expect(memoryReport({ heapUsed: 49 * MB, heapTotal: 50 * MB, rss: 0 }, 100 * MB).alert).toBe(false);
  });
});
