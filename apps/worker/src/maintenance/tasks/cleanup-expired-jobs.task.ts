import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { FanOutsRepository, JobRetentionRepository, QueueStatsSnapshotsRepository, WebhookDeliveriesRepository } from '@conveyor/database';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';
import { CleanupExpiredJobsOptions, MaintenanceJobData, SystemScheduleDefinition, everyHoursCron } from '@conveyor/contracts';

/** Records read and deleted per statement. */
const BATCH_SIZE = 500;
/** Batches per run; a larger backlog is worked off by the next runs. */
const MAX_BATCHES = 20;
const DAY_MS = 24 * 60 * 60_000;

/**
 * Deletes job records that finished (completed, failed, cancelled) more than
 * JOB_RECORD_RETENTION_DAYS ago, in batches; and webhook delivery attempts, queue stats
 * snapshots and flows' fan-outs (ended) of the same age. Waiting, delayed and active records are never touched; a dead letter
 * is a failed record, so it goes only once it is older than the retention too.
 */
@SystemTaskProvider()
@Injectable()
export class CleanupExpiredJobsTask implements SystemTask {
  readonly schedule: SystemScheduleDefinition;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly records: JobRetentionRepository,
    private readonly webhookAttempts: WebhookDeliveriesRepository,
    private readonly snapshots: QueueStatsSnapshotsRepository,
    private readonly fanOuts: FanOutsRepository,
  ) {
    this.schedule = {
      name: 'cleanup-expired-jobs',
      // Hourly unless CLEANUP_INTERVAL_HOURS says otherwise: a run deletes at most its cap.
      cron: everyHoursCron(config.intervals.cleanupHours ?? 1, 17),
      description: `Deletes finished job records (and webhook attempts) older than JOB_RECORD_RETENTION_DAYS, at most ${BATCH_SIZE * MAX_BATCHES} per run`,
    };
  }

  /** An admin's schedule of this task may set `olderThanDays` (seed 004's example); else JOB_RECORD_RETENTION_DAYS. */
  async run(data: MaintenanceJobData = { trigger: 'manual' }): Promise<object> {
    const days = (data.options as CleanupExpiredJobsOptions | undefined)?.olderThanDays ?? this.config.retention.jobRecordDays;
    const writtenBefore = new Date(Date.now() - days * DAY_MS);
    let deletedRecords = 0;
    let more = true;
    for (let batch = 0; batch < MAX_BATCHES && more; batch++) {
      const ids = await this.records.expiredIds(writtenBefore, BATCH_SIZE);
      deletedRecords += await this.records.deleteExpired(ids, writtenBefore);
      more = ids.length === BATCH_SIZE;
    }
    // Webhook attempts and snapshots expire by their own age, so none outlives the retention.
    const deletedWebhookAttempts = await this.webhookAttempts.deleteOlderThan(writtenBefore);
    const deletedQueueSnapshots = await this.snapshots.deleteOlderThan(writtenBefore);
    const deletedFanOuts = await this.fanOuts.deleteEndedBefore(writtenBefore);
    return {
      olderThanDays: days,
      writtenBefore: writtenBefore.toISOString(),
      deletedRecords,
      deletedWebhookAttempts,
      deletedQueueSnapshots,
      deletedFanOuts,
      more,
    };
  }
}
