import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import {
  AdminOnly,
  ApiErrorResponses,
  ApiSuccess,
  Caller,
  CurrentCaller,
  IdentityGuard,
  SESSION_ID_HEADER,
  ThrottleAs,
  USER_ID_HEADER,
} from '@conveyor/http';
import { CreditErrorCode } from '../credits';
import { ContentGenerationPayload, ContentGenerationResult, WebsiteAnalysisPayload, WebsiteAnalysisResult } from '../contracts';
import { CreatedJobResponse, CreditsResponse, GrantCreditsRequest, GrantCreditsResponse } from './dto/website-content.dto';
import { WebsiteContentErrorCode } from './website-content.errors';
import { WebsiteContentService } from './website-content.service';

/**
 * Seed 003's create routes. Status, retry and cancel are the job API's own routes
 * (`/api/v1/jobs/{jobId}/status|retry|cancel`), which speak seed 003's status words for these types.
 */
@ApiTags('website-content')
@ApiExtraModels(WebsiteAnalysisResult, ContentGenerationResult)
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@ApiHeader({ name: SESSION_ID_HEADER, required: false, description: 'Anonymous session id (website analysis only)' })
@UseGuards(IdentityGuard)
@Controller('api/v1/jobs')
export class WebsiteContentController {
  constructor(private readonly service: WebsiteContentService) {}

  @Post('website-analysis')
  @ThrottleAs('submit')
  @ApiOperation({
    summary: 'Start a website analysis (seed 003)',
    description:
      'Fetches and parses the site and up to 4 same-site pages it links, then audiences, pitches and images from the generation ' +
      'service (skipped with a note when none is configured). A user or an anonymous session. Poll `GET /api/v1/jobs/{jobId}/status` ' +
      'until `succeeded` or `failed`; the result is a `WebsiteAnalysisResult` (`{ analysis, scenarios, ctas, organizationId, notes }`).',
  })
  @ApiSuccess(CreatedJobResponse, ApiCreatedResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.TargetNotAllowed,
    ErrorCode.Unauthenticated,
    ErrorCode.QueueFull,
    ErrorCode.QueueUnavailable,
  )
  analyseWebsite(@CurrentCaller() caller: Caller, @Body() body: WebsiteAnalysisPayload): Promise<CreatedJobResponse> {
    return this.service.analyseWebsite(caller, body);
  }

  @Post('content-generation')
  @ThrottleAs('submit')
  @ApiOperation({
    summary: 'Start a content generation (seed 003)',
    description:
      'A blog post from the generation service, saved to your organization. Signed-in users only. Reserves ' +
      '`CONTENT_GENERATION_CREDITS` at once (402 when short), captured when the post is saved, released if the run fails or is ' +
      'cancelled. The result is a `ContentGenerationResult` (`{ data, savedPost, metadata, imageGeneration }`).',
  })
  @ApiSuccess(CreatedJobResponse, ApiCreatedResponse)
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.Unauthenticated,
    CreditErrorCode.InsufficientCredits,
    WebsiteContentErrorCode.OrganizationNotFound,
    WebsiteContentErrorCode.ServiceNotConfigured,
    ErrorCode.QueueFull,
    ErrorCode.QueueUnavailable,
  )
  generateContent(@CurrentCaller() caller: Caller, @Body() body: ContentGenerationPayload): Promise<CreatedJobResponse> {
    return this.service.generateContent(caller, body);
  }
}

@ApiTags('credits')
@Controller('api/v1/credits')
export class CreditsController {
  constructor(private readonly service: WebsiteContentService) {}

  @Get()
  @UseGuards(IdentityGuard)
  @ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
  @ApiOperation({
    summary: 'Your credits',
    description: 'Balance, reserved, available and the newest ledger entries. Signed-in users only.',
  })
  @ApiSuccess(CreditsResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.Unauthenticated)
  credits(@CurrentCaller() caller: Caller): Promise<CreditsResponse> {
    return this.service.creditsOf(caller);
  }

  @Post('grants')
  @AdminOnly()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Grant credits to a user (admin)', description: 'Insert-only: a `grantId` seen before grants nothing again.' })
  @ApiSuccess(GrantCreditsResponse, ApiCreatedResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed)
  grant(@Body() body: GrantCreditsRequest): Promise<GrantCreditsResponse> {
    return this.service.grant(body.userId, body.amount, body.reason, body.grantId);
  }
}
