import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, STRICT_VALIDATION, SubmitJobInput, flattenValidationErrors, validationFailed } from '@conveyor/contracts';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { JobProducer, SubmittedJob } from '@conveyor/queueing';
import { Caller, JsonProblem, jsonProblemError } from '@conveyor/http';
import { BulkSubmitResponse, JobPlanResponse } from './dto/job.response';
import { SubmitJobRequest } from './dto/submit-job.request';

/** Submissions through the job API: one, a dry run, or a bulk of items answered one by one. */
@Injectable()
export class JobSubmissions {
  constructor(
    private readonly producer: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `requestId`: the request's X-Request-Id, which the job's log lines then carry. */
  submit(caller: Caller, request: SubmitJobRequest, requestId?: string): Promise<SubmittedJob> {
    return this.producer.submit(caller.owner, { ...this.withDefaultDelay(request), ...(requestId ? { requestId } : {}) });
  }

  /** `?dryRun=true`: everything a submit checks, and how the job would run, without enqueuing it. */
  async plan(caller: Caller, request: SubmitJobRequest): Promise<JobPlanResponse> {
    return { dryRun: true, ...(await this.producer.plan(caller.owner, this.withDefaultDelay(request))) };
  }

  /**
   * DEFAULT_JOB_DELAY (seed 004) holds back a job submitted here without a delay: this API's
   * submissions only, never a product's own jobs, a flow's children or a schedule's runs.
   */
  private withDefaultDelay<R extends SubmitJobInput>(request: R): R {
    const delay = this.config.queues.defaultDelayMs;
    if (delay === 0 || request.options?.delay !== undefined) return request;
    return { ...request, options: { ...request.options, delay } };
  }

  /**
   * Up to MAX_BULK_JOBS submissions; each item is validated alone and answered alone. `refused`:
   * the items the request-body policy set aside (by index), answered with their problem.
   */
  async submitBulk(caller: Caller, items: unknown[], refused: ReadonlyMap<number, JsonProblem> = new Map()): Promise<BulkSubmitResponse> {
    const inputs = await Promise.all(
      items.map((item, index) => {
        const problem = refused.get(index);
        return problem ? jsonProblemError(problem) : validateSubmission(item, `jobs[${index}]`);
      }),
    );
    const outcomes = await this.producer.submitMany(
      caller.owner,
      inputs.map((input) => (input instanceof ConveyorError ? input : this.withDefaultDelay(input))),
    );
    const accepted = outcomes.filter((o) => 'job' in o).length;
    return {
      accepted,
      rejected: outcomes.length - accepted,
      items: outcomes.map((o) =>
        'job' in o
          ? { index: o.index, job: o.job }
          : {
              index: o.index,
              error: {
                error_code: o.error.code,
                detail: o.error.message,
                ...(o.error.extras.fields ? { errors: o.error.extras.fields } : {}),
              },
            },
      ),
    };
  }
}

/** One bulk item through the same rules as a single submission's body; errors name the item. */
async function validateSubmission(item: unknown, field: string): Promise<SubmitJobRequest | ConveyorError> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return validationFailed([{ field, message: `${field} must be a job object { type, data, options? }` }]);
  }
  const request = plainToInstance(SubmitJobRequest, item);
  const errors = await validate(request, STRICT_VALIDATION);
  return errors.length > 0 ? validationFailed(flattenValidationErrors(errors, field)) : request;
}
