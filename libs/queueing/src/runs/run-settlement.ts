import { Inject, Injectable, Logger, forwardRef } from '@nestjs/common';
import { DataCipher, JobStatus, WebhookEvent, runClosingSeq, errorField } from '@conveyor/contracts';
import { JobRecord, JobsRepository, TransitionFields } from '@conveyor/database';
import { JobControl } from '../job-control.service';
import { WebhookNotifier } from '../webhooks/webhook-notifier';
import { RunHooks } from './run-hooks';
import { FlowFanIn } from '../flows/flow-fan-in';
import { FlowEnds } from '../flows/flow-ends';

/** The end a run is settled with outside an attempt. */
export type SettledStatus = JobStatus.Completed | JobStatus.Failed | JobStatus.Cancelled;

const EVENT_OF: Readonly<Record<SettledStatus, WebhookEvent>> = {
  [JobStatus.Completed]: WebhookEvent.Completed,
  [JobStatus.Failed]: WebhookEvent.Failed,
  [JobStatus.Cancelled]: WebhookEvent.Cancelled,
};

export interface RunToSettle {
  record: Pick<JobRecord, '_id' | 'type' | 'queue' | 'run' | 'callback' | 'progress'> & Partial<Pick<JobRecord, 'flow'>>;
  status: SettledStatus;
  /** Written with the status (finishedAt, error, result, attemptsMade…). */
  set: TransitionFields;
  /** Why, for the product's own state (its run hook). */
  message: string;
}

/**
 * The one way a run is settled outside an attempt (API cancel of a queued job, queue clean and
 * clear, clear-stuck, the reconcile sweep): the guarded transition, then the cancel request
 * cleared, the product's run hooks, and the job's webhook, in that order and only if the
 * transition applied. Runs a worker ends inside an attempt are the job processor's.
 */
@Injectable()
export class RunSettlement {
  private readonly logger = new Logger(RunSettlement.name);

  constructor(
    private readonly records: JobsRepository,
    private readonly control: JobControl,
    private readonly hooks: RunHooks,
    private readonly webhooks: WebhookNotifier,
    private readonly cipher: DataCipher,
    // Flows cancel through settlements and settlements feed flows' fan-in: one of the two is lazy.
    @Inject(forwardRef(() => FlowFanIn)) private readonly fanIn: FlowFanIn,
    private readonly flowEnds: FlowEnds,
  ) {}

  /**
   * False when the record had moved on (a worker's write or a new run landed first): then nothing
   * else happens. The closing seq is above every attempt's write of this run, so no worker of the
   * run can overwrite the settlement afterwards.
   */
  async settle({ record, status, set: given, message }: RunToSettle): Promise<boolean> {
    const run = record.run ?? 1;
    // A result comes from Bull's return value: sealed by the worker, or plaintext from before encryption.
    const set = 'result' in given ? { ...given, result: this.cipher.seal(given.result, record._id) } : given;
    const applied = await this.records.transition({ jobId: record._id, seq: runClosingSeq(run), status, set });
    if (!applied) return false;
    // The record is settled: what follows is best effort, so one failing step (Redis down, say)
    // neither skips the next ones nor turns a done settlement into an error. RunHooks and
    // WebhookNotifier.notify never reject; a cancel request left behind expires.
    if (status === JobStatus.Cancelled) {
      await this.control.clearCancelRequest(record.queue, record._id).catch((error: unknown) => {
        this.logger.warn(errorField(error), `Cancel request of job ${record._id} not cleared (it expires by itself)`);
      });
    }
    await this.hooks.runEnded({
      jobId: record._id,
      type: record.type,
      run,
      outcome: status,
      message,
      progress: record.progress ?? undefined,
      byWorker: false,
    });
    // A job of a flow may be the last child its fan-out waits for, or the last job of its flow
    // (null: known to be in none as a child; as a root, one indexed read tells).
    if (record.flow !== null) await this.fanIn.jobEnded(record._id);
    else this.flowEnds.memberEnded(record._id);
    const error = set.error ? { message: set.error.message, code: set.error.code } : undefined;
    await this.webhooks.notify(
      {
        jobId: record._id,
        type: record.type,
        callback: record.callback,
        status,
        progress: set.progress ?? record.progress ?? { percent: 0, step: null },
        run,
        ...(status === JobStatus.Completed ? { result: set.result } : {}),
        ...(error ? { error } : {}),
      },
      EVENT_OF[status],
    );
    return true;
  }
}
