import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import type { Request } from 'express';
import {
  AdminOnly,
  Caller,
  CurrentCaller,
  IdentityGuard,
  ApiErrorResponses,
  ApiSuccess,
  ApiSuccessOneOf,
  ThrottleAs,
  WithMessage,
} from '@conveyor/http';
import { CreateViralEntryRequest } from './dto/create-viral-entry.request';
import {
  AlreadyStartedView,
  ProcessPendingView,
  StartSignalledView,
  ViralEntryDetailView,
  ViralEntryView,
  ViralQueueStatusView,
  ViralResultsView,
} from './dto/viral-ideas.response';
import { ViralBatchService } from './viral-batch.service';
import { ViralIdeasService } from './viral-ideas.service';
import { ViralErrorCode } from './viral-ideas.errors';

/** What a start answers (the start route and the admin's process route): a run signalled, or already started. */
function ApiStartAnswers(): MethodDecorator {
  return applyDecorators(
    ApiSuccessOneOf([StartSignalledView, AlreadyStartedView], ApiOkResponse),
    ApiErrorResponses(
      ViralErrorCode.InvalidUuidFormat,
      ViralErrorCode.QueueEntryNotFound,
      ViralErrorCode.InvalidQueueState,
      ErrorCode.RateLimited,
      ErrorCode.QueueFull,
      ErrorCode.QueueUnavailable,
    ),
  );
}

/** The viral-ideas analysis product (seed docs 000 and 001): entries, starts, progress. */
@ApiTags('viral-ideas')
@UseGuards(IdentityGuard)
@Controller('api/viral-ideas')
export class ViralIdeasController {
  constructor(private readonly viralIdeas: ViralIdeasService) {}

  @Post('queue')
  @ThrottleAs('submit')
  @ApiOperation({
    summary: 'Create a viral-ideas queue entry with its competitors',
    description:
      'The form flow’s submission. `competitors`: usernames, objects `{ username, selection_method? }`, or both mixed. One entry per `session_id` and owner (409 `SESSION_EXISTS` for your second; another caller’s session of the same id is theirs and does not conflict). Start it with POST /queue/{queue_id}/start.',
  })
  @ApiSuccess(ViralEntryView, ApiCreatedResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ViralErrorCode.SessionExists)
  create(@CurrentCaller() caller: Caller, @Body() body: CreateViralEntryRequest): Promise<ViralEntryView> {
    return this.viralIdeas.create(caller, body);
  }

  @Post('queue/:queue_id/start')
  @HttpCode(200)
  @ThrottleAs('submit')
  @ApiOperation({
    summary: 'Signal a viral analysis for background processing',
    description:
      'pending, failed or paused → one run enqueued with the entry’s priority (`ready_for_pickup`); a run still waiting for a worker → that run (`already_queued`, never a second); processing → `already_started`; completed → 409 `INVALID_QUEUE_STATE`.',
  })
  @ApiStartAnswers()
  @ApiErrorResponses(ErrorCode.Unauthenticated)
  start(
    @CurrentCaller() caller: Caller,
    @Param('queue_id') queueId: string,
  ): Promise<WithMessage<StartSignalledView | AlreadyStartedView>> {
    return this.viralIdeas.start(caller, queueId);
  }

  @Get('queue-status')
  @ApiOperation({
    summary: 'Entries per status and processing statistics',
    description:
      '`statistics.{pending, processing, completed, failed, paused, total}` (seed 001’s shape; also as `counts`), average run time and the analysis queue’s counts. Admins (`Authorization: Bearer <ADMIN_API_TOKEN>`) see every entry; others their own.',
  })
  @ApiSuccess(ViralQueueStatusView, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.Unauthenticated)
  status(@CurrentCaller() caller: Caller): Promise<ViralQueueStatusView> {
    return this.viralIdeas.status(caller);
  }

  @Get('queue/:session_id')
  @ApiOperation({
    summary: 'One entry’s progress, competitors and runs, by its session id',
    description: 'Your entry for the session. An admin without one of their own gets the latest submitted entry of that session id.',
  })
  @ApiSuccess(ViralEntryDetailView, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.Unauthenticated, ViralErrorCode.QueueEntryNotFound)
  bySession(@CurrentCaller() caller: Caller, @Param('session_id') sessionId: string): Promise<ViralEntryDetailView> {
    return this.viralIdeas.bySession(caller, sessionId);
  }
}

/** Seed 001's administrative operations: the batch trigger (one call per cooldown) and one entry's start. */
@ApiTags('viral-ideas')
@AdminOnly()
@Controller('api/viral-ideas')
export class ViralIdeasAdminController {
  constructor(
    private readonly batch: ViralBatchService,
    private readonly viralIdeas: ViralIdeasService,
  ) {}

  @Post('queue/:queue_id/process')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start one viral-ideas entry now, whoever owns it (admin)',
    description:
      'Seed 001’s “Individual Processing”: the start route’s rules for any entry, without waiting for a batch. pending, failed or paused → one run enqueued at once with the entry’s priority, owned by the entry’s owner (`ready_for_pickup`); a run still waiting for a worker → that run (`already_queued`, never a second); processing → `already_started`; completed → 409 `INVALID_QUEUE_STATE`.',
  })
  @ApiStartAnswers()
  process(
    @CurrentCaller() caller: Caller,
    @Param('queue_id') queueId: string,
  ): Promise<WithMessage<StartSignalledView | AlreadyStartedView>> {
    return this.viralIdeas.start(caller, queueId);
  }

  @Post('process-pending')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start every pending and stuck viral-ideas entry (admin)',
    description:
      'Pending entries and stuck ones (processing, started more than VIRAL_STUCK_AFTER_MS ago, with no live run) are enqueued in one bulk call, by priority then submission time, VIRAL_BATCH_STAGGER_MS apart. One call per VIRAL_BATCH_COOLDOWN_MS (429 after); BATCH_ALLOWED_IPS limits client addresses (403).',
  })
  @ApiSuccess(ProcessPendingView, ApiOkResponse)
  @ApiErrorResponses(ViralErrorCode.IpNotAllowed, ErrorCode.QueueFull, ErrorCode.QueueUnavailable)
  processPending(@Req() req: Request): Promise<WithMessage<ProcessPendingView>> {
    this.batch.checkClientIp(req.ip ?? '');
    return this.batch.processPending();
  }
}

/** Results of the analysis runs. */
@ApiTags('viral-ideas')
@UseGuards(IdentityGuard)
@Controller('api/viral-analysis')
export class ViralAnalysisController {
  constructor(private readonly viralIdeas: ViralIdeasService) {}

  @Get(':queue_id/results')
  @ApiOperation({ summary: 'The latest analysis result and the run history of an entry' })
  @ApiSuccess(ViralResultsView, ApiOkResponse)
  @ApiErrorResponses(ViralErrorCode.InvalidUuidFormat, ErrorCode.Unauthenticated, ViralErrorCode.QueueEntryNotFound)
  results(@CurrentCaller() caller: Caller, @Param('queue_id') queueId: string): Promise<ViralResultsView> {
    return this.viralIdeas.results(caller, queueId);
  }
}
