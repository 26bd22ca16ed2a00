import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  ConveyorError,
  ErrorCode,
  JobStatus,
  JobTypeDefinition,
  JobTypeRegistry,
  Owner,
  QueueName,
  ResolvedJobOptions,
  SubmitJobInput,
  checkOutboundUrl,
  ownerKey,
  queuePolicy,
  resolveJobOptions,
  validatePayload,
} from '@conveyor/contracts';
import { JobsRepository, newJobRecord } from '@conveyor/database';
import { randomUUID } from 'node:crypto';
import { bullJobOptions, jobEnvelope } from './bull-job-options';
import { QueueRegistry } from './queue-registry.service';
import { QueueStats } from './queue-stats.service';
import { JOB_TYPE_REGISTRY } from './tokens';

export interface SubmittedJob {
  jobId: string;
  queue: QueueName;
  status: JobStatus.Waiting | JobStatus.Delayed;
  /** 1-based place among waiting jobs (null while delayed). */
  queuePosition: number | null;
  estimatedWaitSeconds: number;
}

/** How long a submit may wait on Redis before the client gets 503 instead of a hung request. */
const ENQUEUE_TIMEOUT_MS = 5_000;

/** The one submit path: validate → write the record → enqueue. */
@Injectable()
export class JobProducer {
  private readonly logger = new Logger(JobProducer.name);

  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueRegistry,
    private readonly stats: QueueStats,
    private readonly jobs: JobsRepository,
  ) {}

  async submit(owner: Owner, input: SubmitJobInput): Promise<SubmittedJob> {
    const definition = this.registry.get(input.type);
    if (!definition) {
      throw new ConveyorError(ErrorCode.UnknownJobType, `Unknown job type "${input.type}"`, {
        fields: [{ field: 'type', message: `type must be one of: ${this.registry.types().join(', ')}` }],
      });
    }
    if (owner.kind === 'session' && !definition.anonymousSessions) {
      throw new ConveyorError(ErrorCode.Forbidden, `Job type "${input.type}" needs a signed-in user; anonymous sessions cannot submit it`);
    }
    // Stored as JSON, exactly as Bull stores it: unset optional fields vanish instead of becoming
    // nulls in MongoDB, so a re-run from the record sends the same request as the first run.
    const payload = JSON.parse(JSON.stringify(await validatePayload(definition.payload, input.data))) as object;
    this.checkOutboundTargets(definition, payload);
    const options = resolveJobOptions(queuePolicy(definition.queue), input.options);
    return this.enqueue(owner, definition, payload, options);
  }

  private checkOutboundTargets(definition: JobTypeDefinition, payload: object): void {
    for (const { field, url } of definition.outboundUrls?.(payload) ?? []) {
      const verdict = checkOutboundUrl(url, this.config.outbound);
      if (!verdict.allowed) {
        throw new ConveyorError(ErrorCode.TargetNotAllowed, `${field} ${verdict.reason}`, {
          fields: [{ field, message: `${field} ${verdict.reason}` }],
        });
      }
    }
  }

  private async enqueue(owner: Owner, definition: JobTypeDefinition, payload: object, options: ResolvedJobOptions): Promise<SubmittedJob> {
    const jobId = randomUUID();
    const queue = this.queues.get(definition.queue);
    const record = newJobRecord({
      jobId,
      ownerKey: ownerKey(owner),
      type: definition.type,
      queue: definition.queue,
      data: payload,
      options,
    });
    await this.jobs.insert(record);

    try {
      await withTimeout(
        queue.add(definition.type, jobEnvelope(payload, options, 1), bullJobOptions(jobId, definition.queue, options)),
        ENQUEUE_TIMEOUT_MS,
      );
    } catch (cause) {
      // The client never learns this id, so the record must not outlive the failed enqueue. If this
      // delete fails too, the reconciliation sweep finds a record with no Bull job.
      await this.jobs.deleteUnqueued(jobId);
      throw new ConveyorError(ErrorCode.QueueUnavailable, 'The job queue is unavailable; the job was not accepted. Retry later.', {
        cause,
        retryAfterSeconds: 5,
      });
    }

    const { queuePosition, estimatedWaitSeconds } = await this.estimate(definition.queue, options, record.status === JobStatus.Delayed);
    return { jobId, queue: definition.queue, status: record.status as SubmittedJob['status'], queuePosition, estimatedWaitSeconds };
  }

  /**
   * Where the job stands and a rough wait. The job is already accepted, so if Redis fails now the
   * estimate falls back to the queue policy rather than failing the submission.
   */
  private async estimate(name: QueueName, options: ResolvedJobOptions, delayed: boolean) {
    const policy = queuePolicy(name);
    let queuePosition: number | null = null;
    let averageMs = policy.expectedDurationMs;
    try {
      queuePosition = delayed ? null : await this.stats.waitingAtOrAbove(name, options.priority);
      averageMs = await this.stats.averageDurationMs(name);
    } catch (error) {
      this.logger.warn(`No queue position for a job on ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const waitMs = options.delayMs + Math.ceil((queuePosition ?? 1) / policy.concurrency) * averageMs;
    return { queuePosition, estimatedWaitSeconds: Math.ceil(waitMs / 1000) };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
