import { Injectable } from '@nestjs/common';
import { QueueName, failureRate } from '@conveyor/contracts';
import { QueueStatsSnapshot, QueueStatsSnapshotsRepository } from '@conveyor/database';
import { QueueMetrics, QueueRegistry, QueueStats, WorkerHeartbeats } from '@conveyor/queueing';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';

const LAST_HOUR_MINUTES = 60;

/**
 * Snapshots every queue into MongoDB (`queue_stats`): live counts, the last hour's outcomes and
 * failure rate, average processing time, live workers and their capacity. Redis holds only the
 * live state and 7 days of hourly buckets, and loses them with its data; the snapshots are durable
 * history, kept JOB_RECORD_RETENTION_DAYS and read by GET /api/v1/queues/:name/history.
 */
@SystemTaskProvider()
@Injectable()
export class UpdateQueueStatsTask implements SystemTask {
  readonly schedule = {
    name: 'update-queue-stats',
    cron: '*/5 * * * *',
    description: 'Snapshots each queue’s counts, last-hour outcomes and workers into MongoDB (queue history)',
  };

  constructor(
    private readonly queues: QueueRegistry,
    private readonly metrics: QueueMetrics,
    private readonly stats: QueueStats,
    private readonly heartbeats: WorkerHeartbeats,
    private readonly snapshots: QueueStatsSnapshotsRepository,
  ) {}

  async run(): Promise<object> {
    const at = new Date();
    const workers = await this.heartbeats.list();
    const snapshots = await Promise.all(
      this.queues.all().map(async ({ name }): Promise<QueueStatsSnapshot> => {
        const [counts, lastHour, averageMs] = await Promise.all([
          this.metrics.counts(name),
          this.metrics.recentCounts(name, LAST_HOUR_MINUTES, at.getTime()),
          this.stats.averageDurationMs(name as QueueName),
        ]);
        const consumers = workers.filter((w) => w.queues.includes(name));
        return {
          _id: `${name}:${at.toISOString()}`,
          queue: name,
          at,
          counts: { waiting: counts.waiting, active: counts.active, delayed: counts.delayed, failed: counts.failed },
          lastHour: { completed: lastHour.completed, failed: lastHour.failed, retried: lastHour.retried, cancelled: lastHour.cancelled },
          failureRate: failureRate(lastHour.completed, lastHour.failed),
          averageProcessingMs: Math.round(averageMs),
          workers: consumers.length,
          capacity: consumers.reduce((sum, w) => sum + (w.concurrency[name] ?? 0), 0),
        };
      }),
    );
    await this.snapshots.insertMany(snapshots);
    return { at: at.toISOString(), queues: snapshots.map((s) => s.queue) };
  }
}
