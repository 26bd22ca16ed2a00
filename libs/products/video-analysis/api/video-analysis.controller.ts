import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import {
  ApiErrorResponses,
  ApiSuccess,
  Caller,
  CurrentCaller,
  IdentityGuard,
  RouteLimit,
  ThrottleAs,
  USER_ID_HEADER,
  jobIdPipeFor,
} from '@conveyor/http';
import { AnalysisResponse, CreateAnalysisRequest, CreatedAnalysisResponse } from './dto/analysis.dto';
import { VideoAnalysisService } from './video-analysis.service';

const JOB_ID_PIPE = jobIdPipeFor('job_id');

/** Seed 002's "10 submissions a minute per IP" (VIDEO_SUBMIT_IP_LIMIT), instead of the submit class. */
export const ANALYSIS_SUBMIT_LIMIT = 'analysis-submit';

/** Seed 002's submit and read routes. The job verbs (`/api/v1/jobs/{job_id}/…`) work on these jobs too. */
@ApiTags('video-analysis')
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@UseGuards(IdentityGuard)
@Controller('api/v1/analysis')
export class VideoAnalysisController {
  constructor(private readonly service: VideoAnalysisService) {}

  @Post()
  @ThrottleAs('submit')
  @RouteLimit(ANALYSIS_SUBMIT_LIMIT)
  @ApiOperation({
    summary: 'Queue a video analysis (seed 002)',
    description:
      'Downloads the video (and chat), transcribes, analyses loudness, chat and sentiment and finds highlights. `priority`: ' +
      'URGENT, HIGH, NORMAL (default), LOW in any letter case, or 4…1. 429 `QUEUE_FULL` past 100 queued; 429 `RATE_LIMITED` past ' +
      'VIDEO_SUBMIT_IP_LIMIT (10) submissions a minute from one IP.',
  })
  @ApiSuccess(CreatedAnalysisResponse, ApiCreatedResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.TargetNotAllowed,
    ErrorCode.Unauthenticated,
    ErrorCode.Forbidden,
    ErrorCode.QueueFull,
    ErrorCode.RateLimited,
  )
  submit(@CurrentCaller() caller: Caller, @Body() body: CreateAnalysisRequest): Promise<CreatedAnalysisResponse> {
    return this.service.submit(caller, body);
  }

  @Get(':job_id')
  @ApiOperation({ summary: 'An analysis: status, progress by stage, result or error, timestamps (seed 002)' })
  @ApiSuccess(AnalysisResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound)
  read(@CurrentCaller() caller: Caller, @Param('job_id', JOB_ID_PIPE) jobId: string): Promise<AnalysisResponse> {
    return this.service.read(caller, jobId);
  }
}
