import { Injectable } from '@nestjs/common';
import { BULL_BACKOFF_STRATEGY, MaintenanceJobData, QueueName, queuePolicy } from '@conveyor/contracts';
import { JobOptions } from 'bull';
import { randomUUID } from 'node:crypto';
import { QueueRegistry } from '../queue-registry.service';

/** A system task's run, as enqueued: its Bull job on the `maintenance` queue. */
export interface EnqueuedSystemRun {
  jobId: string;
  queue: QueueName;
}

/**
 * Enqueues runs of system schedules on the `maintenance` service queue (the worker's
 * MaintenanceProcessor runs them): the ticker for cron runs, the API for manual triggers. Runs are
 * Bull jobs with the queue policy's attempts and backoff, so they retry and show in the dashboard.
 */
@Injectable()
export class MaintenanceQueue {
  constructor(private readonly queues: QueueRegistry) {}

  async enqueue(schedule: string, data: MaintenanceJobData): Promise<EnqueuedSystemRun> {
    const policy = queuePolicy(QueueName.Maintenance);
    const options: JobOptions = {
      jobId: randomUUID(),
      attempts: policy.attempts,
      backoff: { type: BULL_BACKOFF_STRATEGY, options: policy.backoff } as JobOptions['backoff'],
      removeOnComplete: policy.keepCompleted,
      removeOnFail: policy.keepFailed,
    };
    const job = await this.queues.get(QueueName.Maintenance).add(schedule, data, options);
    return { jobId: String(job.id), queue: QueueName.Maintenance };
  }

  /** A run's Bull state (`waiting`, `active`, `completed`, `failed`, …), or null once Bull removed it. */
  async state(jobId: string): Promise<string | null> {
    const job = await this.queues.get(QueueName.Maintenance).getJob(jobId);
    return job ? job.getState() : null;
  }
}
