import { Injectable } from '@nestjs/common';
import { QueueMetrics, RedisConnections } from '@conveyor/queueing';
import { availableParallelism, loadavg } from 'node:os';
import { MemoryReport, memoryReport } from '../health/memory-report';
import { parseRedisInfo } from '../health/redis-info';
import { QueueReads } from '../queues/queue-reads.service';

/** The window of a queue's success and error rates: seed 004 alerts on failures "in the past hour". */
const RATE_WINDOW_MINUTES = 60;

export interface SystemResourceMetrics {
  uptime: number;
  memory: MemoryReport;
  cpu: { userMs: number; systemMs: number; loadAverage: number[]; cores: number };
  redis: { connectedClients: number | null };
}

export interface QueueThroughputMetrics {
  name: string;
  throughputPerMinute: number;
  lastHour: { completed: number; failed: number };
  successRate: number | null;
  errorRate: number | null;
  averageProcessingMs: number | null;
  p95ProcessingMs: number | null;
  depth: number;
}

/** Seed 004's key metrics (GET /api/v1/scheduler/metrics): per queue, and this API process's resources. */
@Injectable()
export class SystemMetrics {
  constructor(
    private readonly queueReads: QueueReads,
    private readonly metrics: QueueMetrics,
    private readonly connections: RedisConnections,
  ) {}

  async system(): Promise<SystemResourceMetrics> {
    const cpu = process.cpuUsage();
    return {
      uptime: Math.floor(process.uptime()),
      memory: memoryReport(),
      cpu: {
        userMs: Math.round(cpu.user / 1000),
        systemMs: Math.round(cpu.system / 1000),
        loadAverage: loadavg(),
        cores: availableParallelism(),
      },
      redis: { connectedClients: await this.redisClients() },
    };
  }

  /** Throughput, success and error rates over the last hour, processing times and depth, per queue. */
  async queues(now = Date.now()): Promise<QueueThroughputMetrics[]> {
    const summaries = await this.queueReads.list();
    return Promise.all(
      summaries.map(async (q) => {
        const { completed, failed } = await this.metrics.recentCounts(q.name, RATE_WINDOW_MINUTES, now);
        const ended = completed + failed;
        return {
          name: q.name,
          throughputPerMinute: q.processingRatePerMinute,
          lastHour: { completed, failed },
          successRate: ended > 0 ? completed / ended : null,
          errorRate: ended > 0 ? failed / ended : null,
          averageProcessingMs: q.averageProcessingMs,
          p95ProcessingMs: q.p95ProcessingMs,
          depth: q.liveStats.waiting,
        };
      }),
    );
  }

  private async redisClients(): Promise<number | null> {
    try {
      const clients = Number(parseRedisInfo(await this.connections.commandClient().info('clients')).connected_clients);
      return Number.isFinite(clients) ? clients : null;
    } catch {
      return null; // Redis unreachable: the rest of the metrics still answer
    }
  }
}
