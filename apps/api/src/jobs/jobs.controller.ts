import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, isTerminal } from '@conveyor/contracts';
import {
  Caller,
  CurrentCaller,
  IdentityGuard,
  SESSION_ID_HEADER,
  USER_ID_HEADER,
  userIdPipe,
  ApiErrorResponses,
  ApiSuccess,
  ApiSuccessOneOf,
  preferredWaitSeconds,
  refusedItems,
  ThrottleAs,
  jobIdPipe,
} from '@conveyor/http';
import { CancelJobResponse, ChangePriorityRequest, ChangePriorityResponse, RetryJobResponse } from './dto/job-control.dto';
import { BulkSubmitResponse, JOB_RESULT_MODELS, JobPlanResponse, JobResponse, SubmittedJobResponse } from './dto/job.response';
import { JobListResponse, JobStatusResponse, ListJobsQuery } from './dto/list-jobs.dto';
import { BulkSubmitRequest, JobOptionsRequest, SubmitJobQuery, SubmitJobRequest } from './dto/submit-job.request';
import { IDEMPOTENCY_KEY_HEADER, IdempotencyService, StoredAnswer } from './idempotency.service';
import { JobActions } from './job-actions.service';
import { FlowReads } from './flows/flow-reads';
import { JobReads } from './job-reads.service';
import { JobSubmissions } from './job-submissions.service';
import { ApiLifecycle } from '../lifecycle/api-lifecycle';
import { JobOutcomeWaiter } from './events/job-outcome-waiter';
import { jobCatalog } from '@conveyor/products';

/** Seconds a client polling a job's status is asked to wait between reads (`Retry-After`). */
const STATUS_POLL_SECONDS = 2;

@ApiTags('jobs')
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@ApiHeader({ name: SESSION_ID_HEADER, required: false, description: 'Anonymous session id (16-128 URL-safe characters)' })
@ApiExtraModels(JobOptionsRequest, ...jobCatalog.clientSubmittable().map((d) => d.payload), ...JOB_RESULT_MODELS)
@UseGuards(IdentityGuard)
@Controller('api/v1/jobs')
export class JobsController {
  constructor(
    private readonly submissions: JobSubmissions,
    private readonly reads: JobReads,
    private readonly actions: JobActions,
    private readonly idempotency: IdempotencyService,
    private readonly lifecycle: ApiLifecycle,
    private readonly outcomes: JobOutcomeWaiter,
    private readonly flows: FlowReads,
  ) {}

  @Post()
  @ThrottleAs('submit')
  @ApiOperation({
    summary: 'Submit a job',
    description:
      'Validates the payload against its job type, records the job and enqueues it (201). `?dryRun=true` only validates and ' +
      'returns the resolved plan (200). `Prefer: wait=N` (N ≤ 30) answers 200 with the final state if the job finishes within N ' +
      'seconds, else 202 with `Location` and `Retry-After`. An `Idempotency-Key` replays the first answer for 24 h.',
  })
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description: 'Up to 255 printable characters; same key + same body → same answer',
  })
  @ApiHeader({ name: 'prefer', required: false, description: 'wait=N (seconds, at most 30)' })
  @ApiSuccess(SubmittedJobResponse, ApiCreatedResponse)
  // 200: the job's final state (Prefer: wait), or the plan of a dry run.
  @ApiSuccessOneOf([JobResponse, JobPlanResponse], ApiOkResponse)
  @ApiSuccess(SubmittedJobResponse, ApiAcceptedResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.UnknownJobType,
    ErrorCode.TargetNotAllowed,
    ErrorCode.Unauthenticated,
    ErrorCode.Forbidden,
    ErrorCode.IdempotencyKeyReused,
    ErrorCode.IdempotencyKeyInProgress,
    ErrorCode.PayloadTooLarge,
    ErrorCode.QueueFull,
    ErrorCode.QueueUnavailable,
  )
  async submit(
    @CurrentCaller() caller: Caller,
    @Body() body: SubmitJobRequest,
    @Query() query: SubmitJobQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    if (query.dryRun) {
      res.status(HttpStatus.OK);
      return this.submissions.plan(caller, body);
    }
    const waitSeconds = preferredWaitSeconds(req.headers.prefer);
    return this.answerOnce(caller, req, res, body, async (remember) => {
      const job = await this.submissions.submit(caller, body, String(req.id));
      const location = `/api/v1/jobs/${job.jobId}`;
      const created = { status: HttpStatus.CREATED, body: job, headers: { location } };
      if (waitSeconds === undefined) return created;
      await remember(created); // the job exists: a retry with this key must not submit again
      const applied = { 'preference-applied': `wait=${waitSeconds}` };
      // Stops waiting when the client goes away or this instance starts closing (then 202 at once).
      const stop = AbortSignal.any([abortedWith(res), this.lifecycle.stopWaiting]);
      const outcome = await this.outcomes.wait(caller, job.jobId, waitSeconds, stop);
      if (outcome) return { status: HttpStatus.OK, body: outcome, headers: { location, ...applied } };
      const retryAfter = String(Math.max(1, Math.min(job.estimatedWaitSeconds, 30)));
      return { status: HttpStatus.ACCEPTED, body: job, headers: { location, 'retry-after': retryAfter, ...applied } };
    });
  }

  @Post('bulk')
  @ThrottleAs('bulk')
  @ApiOperation({
    summary: 'Submit up to 500 jobs',
    description:
      'Each item is validated on its own and answered in `items` (its job, or its error); one bad item does not sink the batch. Always 200.',
  })
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false })
  @ApiSuccess(BulkSubmitResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.IdempotencyKeyReused, ErrorCode.PayloadTooLarge)
  async submitBulk(
    @CurrentCaller() caller: Caller,
    @Body() body: BulkSubmitRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    return this.answerOnce(caller, req, res, body, async () => ({
      status: HttpStatus.OK,
      body: await this.submissions.submitBulk(caller, body.jobs, refusedItems(req)),
      headers: {},
    }));
  }

  /** Runs a submission once per Idempotency-Key (when sent) and writes its status and headers. */
  private async answerOnce(
    caller: Caller,
    req: Request,
    res: Response,
    body: unknown,
    work: (remember: (answer: StoredAnswer) => Promise<void>) => Promise<StoredAnswer>,
  ): Promise<unknown> {
    const key = this.idempotency.parseKey(req.headers[IDEMPOTENCY_KEY_HEADER]);
    const answer =
      key === undefined
        ? { ...(await work(() => Promise.resolve())), replayed: false }
        : await this.idempotency.once(caller.owner, key, body, work);
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    if (answer.replayed) res.setHeader('idempotent-replayed', 'true');
    return answer.body;
  }

  @Get()
  @ApiOperation({
    summary: 'List your jobs',
    description: 'Newest first, from the durable records. An administrator sees every caller’s jobs.',
  })
  @ApiSuccess(JobListResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated)
  list(@CurrentCaller() caller: Caller, @Query() query: ListJobsQuery): Promise<JobListResponse> {
    return this.reads.list(caller, query);
  }

  @Get('user/:userId')
  @ApiOperation({ summary: "List one user's jobs", description: 'For the user themself or an administrator.' })
  @ApiSuccess(JobListResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.Forbidden)
  listForUser(
    @CurrentCaller() caller: Caller,
    @Param('userId', userIdPipe) userId: string,
    @Query() query: ListJobsQuery,
  ): Promise<JobListResponse> {
    return this.reads.listForUser(caller, userId, query);
  }

  @Get(':jobId/status')
  @ApiOperation({
    summary: "A job's compact status",
    description:
      'Status, progress, current step; the result once completed, the error once failed. While the job has not ended, ' +
      '`Retry-After` says when to poll again.',
  })
  @ApiSuccess(JobStatusResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound)
  async status(
    @CurrentCaller() caller: Caller,
    @Param('jobId', jobIdPipe) jobId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<JobStatusResponse> {
    const status = await this.reads.status(caller, jobId);
    // A polling client's pace: ask again in a moment while the job has not ended.
    if (!isTerminal(status.conveyorStatus)) res.setHeader('retry-after', String(STATUS_POLL_SECONDS));
    return status;
  }

  @Get(':jobId')
  @ApiOperation({
    summary: 'Read a job',
    description: 'Live from the queue while the job is in Redis, from its durable record afterwards.',
  })
  @ApiSuccess(JobResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound)
  async get(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<JobResponse> {
    // A job that fanned out shows the flow under it (often still running after the job completed).
    return this.flows.withFlow(jobId, this.reads.get(caller, jobId));
  }

  @Post(':jobId/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel a job and the flow under it',
    description:
      'Waiting or delayed: removed at once. Active: stopped at its next step boundary (or sooner) and never retried. ' +
      'What its fan-outs started is cancelled too (`descendantsCancelled`); a job that has ended while its flow runs on answers ' +
      '200 with its own status and the flow cancelled. Ended with nothing running under it: 409.',
  })
  @ApiSuccess(CancelJobResponse, ApiOkResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.Unauthenticated,
    ErrorCode.JobNotFound,
    ErrorCode.InvalidJobState,
    ErrorCode.QueueUnavailable,
  )
  cancel(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<CancelJobResponse> {
    return this.actions.cancel(caller, jobId);
  }

  @Delete(':jobId')
  @ApiOperation({ summary: 'Cancel a job and the flow under it (same as POST /:jobId/cancel)' })
  @ApiSuccess(CancelJobResponse, ApiOkResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.Unauthenticated,
    ErrorCode.JobNotFound,
    ErrorCode.InvalidJobState,
    ErrorCode.QueueUnavailable,
  )
  remove(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<CancelJobResponse> {
    return this.actions.cancel(caller, jobId);
  }

  @Post(':jobId/retry')
  @ThrottleAs('submit')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Run a failed or cancelled job again',
    description:
      'Starts a new run from the first attempt; earlier runs stay in the history. A type a product starts itself is refused with 409 naming the product’s route.',
  })
  @ApiSuccess(RetryJobResponse, ApiOkResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.Unauthenticated,
    ErrorCode.JobNotFound,
    ErrorCode.InvalidJobState,
    ErrorCode.QueueUnavailable,
  )
  retry(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<RetryJobResponse> {
    return this.actions.retry(caller, jobId);
  }

  @Put(':jobId/priority')
  @ApiOperation({
    summary: "Change a waiting job's priority",
    description: 'The job goes behind the jobs already waiting at its new priority.',
  })
  @ApiSuccess(ChangePriorityResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound, ErrorCode.InvalidJobState)
  changePriority(
    @CurrentCaller() caller: Caller,
    @Param('jobId', jobIdPipe) jobId: string,
    @Body() body: ChangePriorityRequest,
  ): Promise<ChangePriorityResponse> {
    return this.actions.changePriority(caller, jobId, body.priority);
  }
}

/** Aborts when the client goes away, so a `Prefer: wait` stops waiting for nobody. */
function abortedWith(res: Response): AbortSignal {
  const controller = new AbortController();
  // The response closes before it is sent only when the client went away.
  res.once('close', () => controller.abort());
  return controller.signal;
}
