import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import { AdminOnly, jobIdPipe } from '@conveyor/http';
import { Caller, CurrentCaller } from '@conveyor/http';
import { ApiErrorResponses, ApiSuccess } from '@conveyor/http';
import { RetryJobResponse } from '../jobs/dto/job-control.dto';
import { DeadLettersService } from './dead-letters.service';
import { ListDeadLettersQuery, RequeueDeadLetterRequest } from './dto/dead-letter.request';
import { DeadLetterListResponse, DeadLetterResponse, DismissDeadLetterResponse } from './dto/dead-letter.response';

@ApiTags('dead-letters')
@AdminOnly()
@Controller('api/v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({
    summary: 'List dead letters',
    description:
      'Jobs whose run failed for good (every attempt used, a permanent error, or stalled past the limit), most recently failed ' +
      'first, with error, stack excerpt, attempts and payload. Dismissed ones are not listed.',
  })
  @ApiSuccess(DeadLetterListResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed)
  list(@Query() query: ListDeadLettersQuery): Promise<DeadLetterListResponse> {
    return this.deadLetters.list(query);
  }

  @Get(':jobId')
  @ApiOperation({ summary: 'Read one dead letter' })
  @ApiSuccess(DeadLetterResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.JobNotFound)
  get(@Param('jobId', jobIdPipe) jobId: string): Promise<DeadLetterResponse> {
    return this.deadLetters.get(jobId);
  }

  @Post(':jobId/requeue')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Requeue a dead letter',
    description:
      'Runs the job again as a new run from its first attempt (like POST /api/v1/jobs/:jobId/retry; the failed run stays in its ' +
      'history). With `data`, the new run uses that payload instead, validated exactly like a submission of the job’s type. ' +
      'A type a product starts itself is refused with 409 naming the product’s route, as for a retry.',
  })
  @ApiSuccess(RetryJobResponse, ApiOkResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.TargetNotAllowed,
    ErrorCode.JobNotFound,
    ErrorCode.InvalidJobState,
    ErrorCode.QueueUnavailable,
  )
  requeue(
    @CurrentCaller() caller: Caller,
    @Param('jobId', jobIdPipe) jobId: string,
    @Body() body: RequeueDeadLetterRequest,
  ): Promise<RetryJobResponse> {
    return this.deadLetters.requeue(caller, jobId, body.data);
  }

  @Delete(':jobId')
  @ApiOperation({
    summary: 'Dismiss a dead letter',
    description:
      'Takes it off the dead-letter list: the job record stays `failed` for its owner (who may still retry it) and notes who ' +
      'dismissed it; Bull’s failed copy is removed from Redis. If a later run fails, the job is a dead letter again.',
  })
  @ApiSuccess(DismissDeadLetterResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.JobNotFound)
  dismiss(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<DismissDeadLetterResponse> {
    return this.deadLetters.dismiss(caller, jobId);
  }
}
