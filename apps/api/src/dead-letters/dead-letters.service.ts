import { Injectable, Logger } from '@nestjs/common';
import { ConveyorError, DataCipher, ErrorCode, QueueName, ownerKey, errorField } from '@conveyor/contracts';
import { DeadLettersRepository, JobRecord, openedRecord } from '@conveyor/database';
import { JobProducer, QueueRegistry, BullProbe } from '@conveyor/queueing';
import { Caller } from '@conveyor/http';
import { RetryJobResponse } from '../jobs/dto/job-control.dto';
import { JobActions } from '../jobs/job-actions.service';
import { ListDeadLettersQuery } from './dto/dead-letter.request';
import { DeadLetterListResponse, DeadLetterResponse, DismissDeadLetterResponse } from './dto/dead-letter.response';

/**
 * Dead letters: jobs whose run failed for good (last attempt used, a permanent error, or stalled
 * past Bull's limit, which the worker's reconciliation sweep records). Derived from the failed job
 * records; operators list them, requeue them (a new run, optionally with a corrected payload) or
 * dismiss them. Admin routes only: every read here ignores owners.
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);

  constructor(
    private readonly deadLetters: DeadLettersRepository,
    private readonly actions: JobActions,
    private readonly producer: JobProducer,
    private readonly queues: QueueRegistry,
    private readonly probe: BullProbe,
    private readonly cipher: DataCipher,
  ) {}

  async list(query: ListDeadLettersQuery): Promise<DeadLetterListResponse> {
    const { cursor, limit, ...filter } = query;
    const page = await this.deadLetters.listAsAdmin(filter, { limit, cursor });
    return { items: page.items.map((record) => this.view(record)), nextCursor: page.nextCursor };
  }

  async get(jobId: string): Promise<DeadLetterResponse> {
    return this.view(await this.find(jobId));
  }

  /** A dead letter as an operator reads it: its payload opened (sealed at rest, DataCipher). */
  private view(record: JobRecord): DeadLetterResponse {
    return toResponse(openedRecord(this.cipher, record));
  }

  /**
   * Runs the job again as a new run, like a retry. Edited `data` is checked exactly like a
   * submission of the job's type (payload DTO, outbound policy) and replaces the record's payload.
   */
  async requeue(caller: Caller, jobId: string, data?: Record<string, unknown>): Promise<RetryJobResponse> {
    const record = await this.find(jobId);
    this.actions.checkRunnableAgain(record); // before the payload check: a product's run is refused alike with or without data
    const payload = data === undefined ? undefined : (await this.producer.prepare(caller.owner, { type: record.type, data })).payload;
    return this.actions.runAgain(record, payload);
  }

  /**
   * Takes the dead letter off the list: the record stays failed (its owner still sees it and may
   * retry it) and notes who dismissed it; Bull's failed copy is removed from Redis. A job that
   * fails again in a later run is a dead letter again.
   */
  async dismiss(caller: Caller, jobId: string): Promise<DismissDeadLetterResponse> {
    const record = await this.find(jobId);
    if (!(await this.deadLetters.dismiss(record, ownerKey(caller.owner)))) throw notFound(jobId); // requeued or dismissed meanwhile
    await this.removeFailedCopy(record);
    return { jobId, dismissed: true };
  }

  private async find(jobId: string): Promise<JobRecord> {
    const record = await this.deadLetters.findAsAdmin(jobId);
    if (!record) throw notFound(jobId);
    return record;
  }

  /** Best effort: the record is the authority, and Bull's retention drops the copy eventually anyway. */
  private async removeFailedCopy(record: JobRecord): Promise<void> {
    try {
      // Only this run's failed job: anything else belongs to a run started since.
      const seen = await this.probe.find(record.queue, record._id, { run: record.run ?? 1 });
      if (seen?.state === 'failed') await seen.job.remove();
    } catch (error) {
      this.logger.warn(errorField(error), `Dismissed dead letter ${record._id} is still in Bull's failed list`);
    }
  }
}

function notFound(jobId: string): ConveyorError {
  return new ConveyorError(ErrorCode.JobNotFound, `Dead letter ${jobId} not found`);
}

function toResponse(record: JobRecord): DeadLetterResponse {
  return {
    jobId: record._id,
    type: record.type,
    queue: record.queue as QueueName,
    owner: record.ownerKey,
    error: {
      message: record.error?.message ?? 'Failed without an error message',
      code: record.error?.code ?? 'UNKNOWN',
      stack: record.error?.stack ?? null,
    },
    attemptsMade: record.attemptsMade,
    maxAttempts: record.options.attempts,
    run: record.run ?? 1,
    data: record.data,
    createdAt: record.createdAt.toISOString(),
    startedAt: record.startedAt?.toISOString() ?? null,
    failedAt: (record.finishedAt ?? record.updatedAt).toISOString(),
  };
}
