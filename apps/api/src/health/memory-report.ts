import { getHeapStatistics } from 'node:v8';

/** Seed 004's alert: memory usage above 85 %. */
export const MEMORY_ALERT_RATIO = 0.85;

const MB = 1024 * 1024;

export interface MemoryReport {
  /** MB, as seed 004 prints them. */
  heapUsed: number;
  heapTotal: number;
  heapLimit: number;
  rss: number;
  /** heapUsed ÷ heapLimit, as "35.16%". */
  usage: string;
  /** True above MEMORY_ALERT_RATIO. */
  alert: boolean;
}

/**
 * This process's memory. Usage is measured against V8's heap limit, not `heapTotal`: heapTotal is
 * only what V8 has reserved so far and runs close to full by design (it grows on demand), so a
 * ratio to it would raise the alert on a healthy process; the limit is where the process dies.
 */
export function memoryReport(
  usage: Pick<NodeJS.MemoryUsage, 'heapUsed' | 'heapTotal' | 'rss'> = process.memoryUsage(),
  heapLimitBytes = getHeapStatistics().heap_size_limit,
): MemoryReport {
  const ratio = usage.heapUsed / heapLimitBytes;
  return {
    heapUsed: Math.round(usage.heapUsed / MB),
    heapTotal: Math.round(usage.heapTotal / MB),
    heapLimit: Math.round(heapLimitBytes / MB),
    rss: Math.round(usage.rss / MB),
    usage: `${(ratio * 100).toFixed(2)}%`,
    alert: ratio > MEMORY_ALERT_RATIO,
  };
}
