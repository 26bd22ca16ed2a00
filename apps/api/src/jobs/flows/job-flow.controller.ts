import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import {
  ApiErrorResponses,
  ApiSuccess,
  Caller,
  CurrentCaller,
  IdentityGuard,
  SESSION_ID_HEADER,
  USER_ID_HEADER,
  jobIdPipe,
} from '@conveyor/http';
import { JobFlowResponse } from './job-flow.response';
import { JobFlows } from './job-flows.service';

@ApiTags('jobs')
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@ApiHeader({ name: SESSION_ID_HEADER, required: false, description: 'Anonymous session id (16-128 URL-safe characters)' })
@UseGuards(IdentityGuard)
@Controller('api/v1/jobs')
export class JobFlowController {
  constructor(private readonly flows: JobFlows) {}

  @Get(':jobId/flow')
  @ApiOperation({
    summary: 'The flow under a job: every job its fan-outs started, as a tree',
    description:
      'The job, its children and continuations at any depth (`{ jobId, type, queue, status, progress, role, key, children }`), with ' +
      '`flow`: counts per status, overall progress, each fan-out’s outcome, and the flow’s status (`running`, `completed`, `failed`, ' +
      '`cancelled`). A job that started nothing is a tree of one. For the job’s owner or an administrator.',
  })
  @ApiSuccess(JobFlowResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound)
  tree(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<JobFlowResponse> {
    return this.flows.tree(caller, jobId);
  }
}
