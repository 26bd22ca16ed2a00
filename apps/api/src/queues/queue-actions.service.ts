import { Inject, Injectable } from '@nestjs/common';
import {
  JobStatus,
  QueueName,
  QueueOverrides,
  QueuePolicy,
  TransitionPhase,
  isTerminal,
  resolveJobOptions,
  transitionSeq,
} from '@conveyor/contracts';
import { JobsRepository } from '@conveyor/database';
import { JOB_TYPE_REGISTRY, QueueAdmin, QueueSettings, RunSettlement, StuckJobOutcome } from '@conveyor/queueing';
import { QueueReads } from './queue-reads.service';
import type { JobTypeRegistry } from '@conveyor/contracts';
import { CleanQueueRequest, ClearStuckRequest, QueueConfigRequest } from './queue-admin.dto';
import { QueueActionResponse, QueueConfigResponse } from './queue-admin.response';

/** Records updated at once when an action removes many jobs. */
const RECORD_BATCH = 25;

/**
 * The operations API's actions on queues, through QueueAdmin, with the job records brought in line
 * with what an action did (a removed waiting job is cancelled, a released stuck job failed) by run
 * settlement.
 */
@Injectable()
export class QueueActions {
  constructor(
    private readonly reads: QueueReads,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly admin: QueueAdmin,
    private readonly settings: QueueSettings,
    private readonly records: JobsRepository,
    private readonly settlement: RunSettlement,
  ) {}

  async pause(name: QueueName): Promise<QueueActionResponse> {
    await this.admin.pause(name);
    return { queue: name, action: 'paused' };
  }

  /** Undoes pause and drain. */
  async resume(name: QueueName): Promise<QueueActionResponse> {
    await Promise.all([this.admin.resume(name), this.settings.setDraining(name, false)]);
    return { queue: name, action: 'resumed' };
  }

  async drain(name: QueueName): Promise<QueueActionResponse> {
    await this.settings.setDraining(name, true);
    return { queue: name, action: 'draining' };
  }

  async clean(name: QueueName, request: CleanQueueRequest): Promise<QueueActionResponse> {
    const removed = await this.admin.clean(name, request.status, request.olderThan, request.limit);
    if (request.status === 'waiting' || request.status === 'delayed') await this.cancelRecords(removed);
    return { queue: name, action: `cleaned ${request.status}`, affected: removed.length };
  }

  /** Removes every waiting and delayed job; their records become cancelled. */
  async clear(name: QueueName): Promise<QueueActionResponse> {
    const limit = Number.MAX_SAFE_INTEGER;
    const removed = [...(await this.admin.clean(name, 'waiting', 0, limit)), ...(await this.admin.clean(name, 'delayed', 0, limit))];
    await this.cancelRecords(removed);
    return { queue: name, action: 'cleared', affected: removed.length };
  }

  async clearStuck(name: QueueName, request: ClearStuckRequest): Promise<QueueActionResponse> {
    const released = await this.admin.releaseStuck(name, request.olderThan, request.action === 'fail');
    for (let i = 0; i < released.length; i += RECORD_BATCH) {
      await Promise.all(released.slice(i, i + RECORD_BATCH).map((outcome) => this.recordReleased(outcome)));
    }
    return { queue: name, action: `cleared stuck (${request.action})`, affected: released.length };
  }

  async saveConfig(name: QueueName, request: QueueConfigRequest, updatedBy: string): Promise<QueueConfigResponse> {
    const overrides = toOverrides(this.registry.policy(name), request);
    await this.settings.save(name, overrides, updatedBy);
    return this.reads.config(name);
  }

  /** Records of jobs an operator removed from the queue: cancelled, unless they finished meanwhile. */
  private async cancelRecords(jobIds: string[]): Promise<void> {
    for (let i = 0; i < jobIds.length; i += RECORD_BATCH) {
      await Promise.all(
        jobIds.slice(i, i + RECORD_BATCH).map(async (jobId) => {
          const record = await this.records.findByIdUnscoped(jobId);
          if (!record || isTerminal(record.status)) return;
          await this.settlement.settle({
            record,
            status: JobStatus.Cancelled,
            set: { finishedAt: new Date() },
            message: 'Removed from the queue by an operator before a worker took it; start it again to re-run',
          });
        }),
      );
    }
  }

  private async recordReleased({ jobId, state, attemptsMade, run }: StuckJobOutcome): Promise<void> {
    const error = { message: 'Stuck: active with no worker holding it (cleared by an operator)', code: 'STUCK' };
    if (state === 'failed') {
      const record = await this.records.findByIdUnscoped(jobId);
      if (!record || (record.run ?? 1) !== run) return;
      await this.settlement.settle({
        record,
        status: JobStatus.Failed,
        set: { error, attemptsMade, finishedAt: new Date() },
        message: error.message,
      });
    } else {
      const status = state === 'delayed' ? JobStatus.Delayed : JobStatus.Waiting;
      await this.records.transition({
        jobId,
        seq: transitionSeq(attemptsMade + 1, TransitionPhase.Queued, run),
        status,
        set: { error, attemptsMade },
      });
    }
  }
}

/** The request in the stored form, checked against the queue's caps like a submission's options. */
function toOverrides(policy: QueuePolicy, request: QueueConfigRequest): QueueOverrides {
  const options = { attempts: request.attempts, timeout: request.timeout, backoff: request.backoff };
  const resolved = resolveJobOptions(policy, options, '');
  return {
    ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}),
    ...(request.attempts !== undefined ? { attempts: resolved.attempts } : {}),
    ...(request.backoff !== undefined ? { backoff: resolved.backoff } : {}),
    ...(request.timeout !== undefined ? { timeoutMs: resolved.timeoutMs } : {}),
    ...(request.backlogLimit !== undefined ? { backlogLimit: request.backlogLimit } : {}),
    ...(request.rateLimit ? { rateLimit: { max: request.rateLimit.max, durationMs: request.rateLimit.duration } } : {}),
    ...(request.retention?.completed !== undefined ? { keepCompleted: request.retention.completed } : {}),
    ...(request.retention?.failed !== undefined ? { keepFailed: request.retention.failed } : {}),
  };
}
