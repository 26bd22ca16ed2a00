import { Injectable } from '@nestjs/common';
import { MaintenanceJobData, QueueName } from '@conveyor/contracts';
import { randomUUID } from 'node:crypto';
import { serviceJobOptions } from '../bull-job-options';
import { QueueRegistry } from '../queue-registry.service';
import { QueueSettings } from '../queue-settings.service';
import { BullProbe } from '../bull-probe';

/** A system task's run, as enqueued: its Bull job on the `maintenance` queue. */
export interface EnqueuedSystemRun {
  jobId: string;
  queue: QueueName;
}

/**
 * Enqueues runs of system schedules on the `maintenance` service queue (the worker's
 * MaintenanceProcessor runs them): the ticker for cron runs, the API for manual triggers. Runs are
 * Bull jobs with the queue's effective attempts, backoff and retention, so they retry and show in
 * the dashboard.
 */
@Injectable()
export class MaintenanceQueue {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly probe: BullProbe,
    private readonly settings: QueueSettings,
  ) {}

  async enqueue(schedule: string, data: MaintenanceJobData): Promise<EnqueuedSystemRun> {
    const policy = await this.settings.policy(QueueName.Maintenance);
    const job = await this.queues.get(QueueName.Maintenance).add(schedule, data, serviceJobOptions(randomUUID(), policy));
    return { jobId: String(job.id), queue: QueueName.Maintenance };
  }

  /** A run's Bull state (`waiting`, `active`, `completed`, `failed`, …), or null once Bull removed it. */
  async state(jobId: string): Promise<string | null> {
    return (await this.probe.stateOf(QueueName.Maintenance, jobId)) ?? null;
  }
}
