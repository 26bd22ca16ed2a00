import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, defaultJobTypeRegistry, validationFailed } from '@conveyor/contracts';
import { Caller, CurrentCaller, IdentityGuard, SESSION_ID_HEADER, USER_ID_HEADER, userIdPipe } from '../http/identity';
import { ApiErrorResponses, ApiSuccess } from '../http/swagger-envelope';
import { CancelJobResponse, ChangePriorityRequest, ChangePriorityResponse, RetryJobResponse } from './dto/job-control.dto';
import { JobResponse, SubmittedJobResponse } from './dto/job.response';
import { JobListResponse, JobStatusResponse, ListJobsQuery } from './dto/list-jobs.dto';
import { JobOptionsRequest, SubmitJobRequest } from './dto/submit-job.request';
import { JobsService } from './jobs.service';

const jobIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => validationFailed([{ field: 'jobId', message: 'jobId must be a UUID' }]),
});

@ApiTags('jobs')
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@ApiHeader({ name: SESSION_ID_HEADER, required: false, description: 'Anonymous session id (16-128 URL-safe characters)' })
@ApiExtraModels(JobOptionsRequest, ...defaultJobTypeRegistry.all().map((d) => d.payload))
@UseGuards(IdentityGuard)
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Submit a job', description: 'Validates the payload against its job type, records the job and enqueues it.' })
  @ApiSuccess(SubmittedJobResponse, ApiCreatedResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.UnknownJobType,
    ErrorCode.TargetNotAllowed,
    ErrorCode.Unauthenticated,
    ErrorCode.PayloadTooLarge,
    ErrorCode.QueueUnavailable,
  )
  submit(@CurrentCaller() caller: Caller, @Body() body: SubmitJobRequest): Promise<SubmittedJobResponse> {
    return this.jobs.submit(caller, body);
  }

  @Get()
  @ApiOperation({
    summary: 'List your jobs',
    description: 'Newest first, from the durable records. An administrator sees every caller’s jobs.',
  })
  @ApiSuccess(JobListResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated)
  list(@CurrentCaller() caller: Caller, @Query() query: ListJobsQuery): Promise<JobListResponse> {
    return this.jobs.list(caller, query);
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
    return this.jobs.listForUser(caller, userId, query);
  }

  @Get(':jobId/status')
  @ApiOperation({
    summary: "A job's compact status",
    description: 'Status, progress, current step; the result once completed, the error once failed.',
  })
  @ApiSuccess(JobStatusResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound)
  status(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<JobStatusResponse> {
    return this.jobs.status(caller, jobId);
  }

  @Get(':jobId')
  @ApiOperation({
    summary: 'Read a job',
    description: 'Live from the queue while the job is in Redis, from its durable record afterwards.',
  })
  @ApiSuccess(JobResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound)
  get(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<JobResponse> {
    return this.jobs.get(caller, jobId);
  }

  @Post(':jobId/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel a job',
    description: 'Waiting or delayed: removed at once. Active: stopped at its next step boundary (or sooner) and never retried.',
  })
  @ApiSuccess(CancelJobResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound, ErrorCode.InvalidJobState)
  cancel(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<CancelJobResponse> {
    return this.jobs.cancel(caller, jobId);
  }

  @Delete(':jobId')
  @ApiOperation({ summary: 'Cancel a job (same as POST /:jobId/cancel)' })
  @ApiSuccess(CancelJobResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound, ErrorCode.InvalidJobState)
  remove(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<CancelJobResponse> {
    return this.jobs.cancel(caller, jobId);
  }

  @Post(':jobId/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Run a failed or cancelled job again',
    description: 'Starts a new run from the first attempt; earlier runs stay in the history.',
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
    return this.jobs.retry(caller, jobId);
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
    return this.jobs.changePriority(caller, jobId, body.priority);
  }
}
