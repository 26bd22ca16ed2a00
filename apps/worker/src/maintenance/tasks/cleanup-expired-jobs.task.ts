import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { FanOutsRepository, JobRetentionRepository, QueueStatsSnapshotsRepository, WebhookDeliveriesRepository } from '@conveyor/database';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';

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
  readonly schedule = {
    name: 'cleanup-expired-jobs',
    cron: '17 * * * *',
    description: `Deletes finished job records (and webhook attempts) older than JOB_RECORD_RETENTION_DAYS, at most ${BATCH_SIZE * MAX_BATCHES} per run`,
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly records: JobRetentionRepository,
    private readonly webhookAttempts: WebhookDeliveriesRepository,
    private readonly snapshots: QueueStatsSnapshotsRepository,
    private readonly fanOuts: FanOutsRepository,
  ) {}

  async run(): Promise<object> {
    const writtenBefore = new Date(Date.now() - this.config.retention.jobRecordDays * DAY_MS);
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
      writtenBefore: writtenBefore.toISOString(),
      deletedRecords,
      deletedWebhookAttempts,
      deletedQueueSnapshots,
      deletedFanOuts,
      more,
    };
  }
}
