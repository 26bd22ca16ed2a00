import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, Owner, defaultJobTypeRegistry, validationFailed } from '@conveyor/contracts';
import { CurrentOwner, IdentityGuard, SESSION_ID_HEADER, USER_ID_HEADER } from '../http/identity';
import { ApiErrorResponses, ApiSuccess } from '../http/swagger-envelope';
import { CancelJobResponse, ChangePriorityRequest, ChangePriorityResponse, RetryJobResponse } from './dto/job-control.dto';
import { JobResponse, SubmittedJobResponse } from './dto/job.response';
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
  submit(@CurrentOwner() owner: Owner, @Body() body: SubmitJobRequest): Promise<SubmittedJobResponse> {
    return this.jobs.submit(owner, body);
  }

  @Get(':jobId')
  @ApiOperation({
    summary: 'Read a job',
    description: 'Live from the queue while the job is in Redis, from its durable record afterwards.',
  })
  @ApiSuccess(JobResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound)
  get(@CurrentOwner() owner: Owner, @Param('jobId', jobIdPipe) jobId: string): Promise<JobResponse> {
    return this.jobs.get(owner, jobId);
  }

  @Post(':jobId/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel a job',
    description: 'Waiting or delayed: removed at once. Active: stopped at its next step boundary (or sooner) and never retried.',
  })
  @ApiSuccess(CancelJobResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound, ErrorCode.InvalidJobState)
  cancel(@CurrentOwner() owner: Owner, @Param('jobId', jobIdPipe) jobId: string): Promise<CancelJobResponse> {
    return this.jobs.cancel(owner, jobId);
  }

  @Delete(':jobId')
  @ApiOperation({ summary: 'Cancel a job (same as POST /:jobId/cancel)' })
  @ApiSuccess(CancelJobResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound, ErrorCode.InvalidJobState)
  remove(@CurrentOwner() owner: Owner, @Param('jobId', jobIdPipe) jobId: string): Promise<CancelJobResponse> {
    return this.jobs.cancel(owner, jobId);
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
  retry(@CurrentOwner() owner: Owner, @Param('jobId', jobIdPipe) jobId: string): Promise<RetryJobResponse> {
    return this.jobs.retry(owner, jobId);
  }

  @Put(':jobId/priority')
  @ApiOperation({
    summary: "Change a waiting job's priority",
    description: 'The job goes behind the jobs already waiting at its new priority.',
  })
  @ApiSuccess(ChangePriorityResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound, ErrorCode.InvalidJobState)
  changePriority(
    @CurrentOwner() owner: Owner,
    @Param('jobId', jobIdPipe) jobId: string,
    @Body() body: ChangePriorityRequest,
  ): Promise<ChangePriorityResponse> {
    return this.jobs.changePriority(owner, jobId, body.priority);
  }
}
