import { Body, Controller, Get, HttpCode, HttpStatus, Injectable, Param, PipeTransform, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ErrorCode, QueueName, ownerKey } from '@conveyor/contracts';
import { AdminOnly, RouteLimit } from '@conveyor/http';
import { Caller, CurrentCaller } from '@conveyor/http';
import { ApiErrorResponses, ApiSuccess, ApiSuccessList } from '@conveyor/http';
import { CleanQueueRequest, ClearStuckRequest, HistoryQuery, HoursQuery, QueueConfigRequest, QueueJobsQuery } from './queue-admin.dto';
import {
  HourlyMetricsResponse,
  QueueSnapshotResponse,
  QueueActionResponse,
  QueueConfigResponse,
  QueueJobsResponse,
  QueueSummaryResponse,
} from './queue-admin.response';
import { QueueActions } from './queue-actions.service';
import { QueueRouteMetricsQuery, QueueManagerConfigRequest, QueueRouteQuery } from './queue-manager.dto';
import {
  QueueManagerConfigResponse,
  QueueRestartResponse,
  QueueRouteMetricsResponse,
  QueueRouteStatusResponse,
} from './queue-manager.response';
import { QueueManager } from './queue-manager.service';
import { QueueReads } from './queue-reads.service';

/** A queue name from the path: one this service runs, or 404 QUEUE_NOT_FOUND. */
@Injectable()
export class QueueNamePipe implements PipeTransform<string, QueueName> {
  constructor(private readonly reads: QueueReads) {}

  transform(name: string): QueueName {
    return this.reads.queue(name);
  }
}

/** Swagger's reflection left `:name` out of these operations' parameters, so it is declared. */
const QueueNameParam = () => ApiParam({ name: 'name', type: String, description: 'A queue this service runs', example: 'http' });

/** Operations on queues: live state, pause/resume/drain, clean/clear, stuck jobs and settings. Admin only. */
@ApiTags('queues')
@AdminOnly()
@Controller('api/v1/queues')
export class QueuesController {
  constructor(
    private readonly reads: QueueReads,
    private readonly actions: QueueActions,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every queue with live counts, health and processing times' })
  @ApiSuccessList(QueueSummaryResponse, ApiOkResponse)
  list(): Promise<QueueSummaryResponse[]> {
    return this.reads.list();
  }

  @Get(':name')
  @QueueNameParam()
  @ApiOperation({ summary: 'One queue with live counts, health and processing times' })
  @ApiSuccess(QueueSummaryResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound)
  get(@Param('name', QueueNamePipe) name: QueueName): Promise<QueueSummaryResponse> {
    return this.reads.summary(name);
  }

  @Get(':name/jobs')
  @QueueNameParam()
  @ApiOperation({ summary: "A page of a queue's jobs in one state", description: 'One Redis round trip per page.' })
  @ApiSuccess(QueueJobsResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed)
  jobs(@Param('name', QueueNamePipe) name: QueueName, @Query() query: QueueJobsQuery): Promise<QueueJobsResponse> {
    return this.reads.jobs(name, query);
  }

  @Post(':name/pause')
  @QueueNameParam()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Pause the queue for every worker', description: 'Active jobs finish; no worker takes a new one until resume.' })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound)
  pause(@Param('name', QueueNamePipe) name: QueueName): Promise<QueueActionResponse> {
    return this.actions.pause(name);
  }

  @Post(':name/resume')
  @QueueNameParam()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Resume a paused or draining queue' })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound)
  resume(@Param('name', QueueNamePipe) name: QueueName): Promise<QueueActionResponse> {
    return this.actions.resume(name);
  }

  @Post(':name/drain')
  @QueueNameParam()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Drain the queue',
    description: 'Jobs already queued still run; new submissions get 503 QUEUE_DRAINING until resume.',
  })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound)
  drain(@Param('name', QueueNamePipe) name: QueueName): Promise<QueueActionResponse> {
    return this.actions.drain(name);
  }

  @Post(':name/clean')
  @QueueNameParam()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Remove old jobs of one state',
    description: 'In batches of 500. Removed waiting or delayed jobs are recorded as cancelled.',
  })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed)
  clean(@Param('name', QueueNamePipe) name: QueueName, @Body() body: CleanQueueRequest): Promise<QueueActionResponse> {
    return this.actions.clean(name, body);
  }

  @Post(':name/clear')
  @QueueNameParam()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Remove every waiting and delayed job', description: 'Their records become cancelled.' })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound)
  clear(@Param('name', QueueNamePipe) name: QueueName): Promise<QueueActionResponse> {
    return this.actions.clear(name);
  }

  @Post(':name/clear-stuck')
  @QueueNameParam()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Release jobs stuck in active',
    description: 'Active longer than `olderThan` with no worker holding the lock: retried per their attempts, or failed.',
  })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed)
  clearStuck(@Param('name', QueueNamePipe) name: QueueName, @Body() body: ClearStuckRequest): Promise<QueueActionResponse> {
    return this.actions.clearStuck(name, body);
  }

  @Get(':name/metrics')
  @QueueNameParam()
  @ApiOperation({ summary: 'Per-hour processing metrics', description: 'Oldest hour first; `hours` from 1 to 168 (default 24).' })
  @ApiSuccessList(HourlyMetricsResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed)
  metrics(@Param('name', QueueNamePipe) name: QueueName, @Query() query: HoursQuery): Promise<HourlyMetricsResponse[]> {
    return this.reads.hourly(name, query.hours);
  }

  @Get(':name/history')
  @QueueNameParam()
  @ApiOperation({
    summary: 'Queue history from MongoDB',
    description:
      'Snapshots taken every 5 minutes by the `update-queue-stats` system schedule, kept JOB_RECORD_RETENTION_DAYS: oldest first, `hours` from 1 to 2160 (default 24), at most 2000.',
  })
  @ApiSuccessList(QueueSnapshotResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed)
  history(@Param('name', QueueNamePipe) name: QueueName, @Query() query: HistoryQuery): Promise<QueueSnapshotResponse[]> {
    return this.reads.history(name, query.hours);
  }

  @Get(':name/config')
  @QueueNameParam()
  @ApiOperation({ summary: "A queue's settings: effective and saved" })
  @ApiSuccess(QueueConfigResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound)
  config(@Param('name', QueueNamePipe) name: QueueName): Promise<QueueConfigResponse> {
    return this.reads.config(name);
  }

  @Put(':name/config')
  @QueueNameParam()
  @ApiOperation({
    summary: "Replace a queue's settings",
    description:
      'Stored in MongoDB. Producers apply defaults and the backlog limit within 2 s; running workers apply concurrency and rate limit within WORKER_CONFIG_POLL_MS, without a restart.',
  })
  @ApiSuccess(QueueConfigResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed)
  saveConfig(
    @Param('name', QueueNamePipe) name: QueueName,
    @Body() body: QueueConfigRequest,
    @CurrentCaller() caller: Caller,
  ): Promise<QueueConfigResponse> {
    return this.actions.saveConfig(name, body, ownerKey(caller.owner));
  }
}

/** The named limits of the /api/v1/queue/* routes (THROTTLE_QUEUE_STATUS_LIMIT, THROTTLE_QUEUE_ADMIN_LIMIT). */
export const QUEUE_STATUS_LIMIT = 'queue-status';
export const QUEUE_ADMIN_LIMIT = 'queue-admin';

const QUEUE_ROUTES_NOTE =
  'Acts on the queue `?queue=` names, else on the default queue of these routes (README, "Queue routes"). Admin only.';

/**
 * `/api/v1/queue/*`: the totals over every job queue (camelCase, as before), and one queue as a
 * queue-manager client knows it: its state and performance in snake_case, pause, resume, drain,
 * clear, clear-stuck, restart and its settings. Admin only; rate-limited per caller by their own
 * named limits instead of the admin class's.
 */
@ApiTags('queues')
@AdminOnly()
@Controller('api/v1/queue')
export class QueueOverviewController {
  constructor(
    private readonly reads: QueueReads,
    private readonly actions: QueueActions,
    private readonly manager: QueueManager,
  ) {}

  @Get('status')
  @RouteLimit(QUEUE_STATUS_LIMIT)
  @ApiOperation({
    summary: 'Backlog, active jobs, live workers and utilisation: over every job queue, and of one queue',
    description: `camelCase fields: every job queue. snake_case fields: one queue. ${QUEUE_ROUTES_NOTE}`,
  })
  @ApiSuccess(QueueRouteStatusResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  async status(@Query() query: QueueRouteQuery): Promise<QueueRouteStatusResponse> {
    const name = this.manager.queue(query.queue);
    const [overall, fields] = await Promise.all([this.reads.overallStatus(), this.manager.fields(name, 24)]);
    return { ...overall, ...fields };
  }

  @Get('metrics')
  @RouteLimit(QUEUE_STATUS_LIMIT)
  @ApiOperation({
    summary: 'Processed, failed, retried, average time and queue wait: over every job queue, and of one queue',
    description: `\`hours\` from 1 to 168 (default 24). camelCase fields: every job queue. snake_case fields: one queue. ${QUEUE_ROUTES_NOTE}`,
  })
  @ApiSuccess(QueueRouteMetricsResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  async metrics(@Query() query: QueueRouteMetricsQuery): Promise<QueueRouteMetricsResponse> {
    const name = this.manager.queue(query.queue);
    const [overall, fields] = await Promise.all([this.reads.overallMetrics(query.hours), this.manager.fields(name, query.hours)]);
    return { ...overall, ...fields };
  }

  @Get('config')
  @RouteLimit(QUEUE_STATUS_LIMIT)
  @ApiOperation({ summary: "A queue's settings in the manager's names", description: QUEUE_ROUTES_NOTE })
  @ApiSuccess(QueueManagerConfigResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  config(@Query() query: QueueRouteQuery): Promise<QueueManagerConfigResponse> {
    return this.manager.config(this.manager.queue(query.queue));
  }

  @Put('config')
  @RouteLimit(QUEUE_ADMIN_LIMIT)
  @ApiOperation({
    summary: "Change a queue's settings: max_concurrent_jobs, max_queue_size, job_timeout (s), max_retries",
    description: `Fields left out keep their saved values. Workers apply concurrency within WORKER_CONFIG_POLL_MS, producers the rest within 2 s. ${QUEUE_ROUTES_NOTE}`,
  })
  @ApiSuccess(QueueManagerConfigResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  saveConfig(
    @Query() query: QueueRouteQuery,
    @Body() body: QueueManagerConfigRequest,
    @CurrentCaller() caller: Caller,
  ): Promise<QueueManagerConfigResponse> {
    return this.manager.saveConfig(this.manager.queue(query.queue), body, ownerKey(caller.owner));
  }

  @Post('pause')
  @RouteLimit(QUEUE_ADMIN_LIMIT)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Pause job processing',
    description: `Active jobs finish; no worker takes a new one until resume. ${QUEUE_ROUTES_NOTE}`,
  })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  pause(@Query() query: QueueRouteQuery): Promise<QueueActionResponse> {
    return this.actions.pause(this.manager.queue(query.queue));
  }

  @Post('resume')
  @RouteLimit(QUEUE_ADMIN_LIMIT)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Resume job processing (undoes pause and drain)', description: QUEUE_ROUTES_NOTE })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  resume(@Query() query: QueueRouteQuery): Promise<QueueActionResponse> {
    return this.actions.resume(this.manager.queue(query.queue));
  }

  @Post('drain')
  @RouteLimit(QUEUE_ADMIN_LIMIT)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Drain the queue: finish the jobs it has, admit no new ones',
    description: `New submissions get 503 QUEUE_DRAINING until resume. ${QUEUE_ROUTES_NOTE}`,
  })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  drain(@Query() query: QueueRouteQuery): Promise<QueueActionResponse> {
    return this.actions.drain(this.manager.queue(query.queue));
  }

  @Post('clear')
  @RouteLimit(QUEUE_ADMIN_LIMIT)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Clear every queued (waiting and delayed) job',
    description: `Their records become cancelled. ${QUEUE_ROUTES_NOTE}`,
  })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  clear(@Query() query: QueueRouteQuery): Promise<QueueActionResponse> {
    return this.actions.clear(this.manager.queue(query.queue));
  }

  @Post('clear-stuck')
  @RouteLimit(QUEUE_ADMIN_LIMIT)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Release jobs stuck in active',
    description: `Active longer than \`olderThan\` ms (default 5 min) with no worker holding the lock: retried per their attempts, or failed. The body is optional. ${QUEUE_ROUTES_NOTE}`,
  })
  @ApiBody({ type: ClearStuckRequest, required: false })
  @ApiSuccess(QueueActionResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  clearStuck(@Query() query: QueueRouteQuery, @Body() body: ClearStuckRequest): Promise<QueueActionResponse> {
    return this.actions.clearStuck(this.manager.queue(query.queue), body);
  }

  @Post('restart')
  @RouteLimit(QUEUE_ADMIN_LIMIT)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Restart the queue's consumers",
    description:
      'Every worker re-creates its consumer of the queue within WORKER_CONFIG_POLL_MS (its active jobs finish on the old one), and ' +
      'jobs locked by a worker that is gone (no live heartbeat) go back to waiting at once, as a stalled job does; `affected` counts them. ' +
      QUEUE_ROUTES_NOTE,
  })
  @ApiSuccess(QueueRestartResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.QueueNotFound, ErrorCode.ValidationFailed, ErrorCode.RateLimited)
  restart(@Query() query: QueueRouteQuery): Promise<QueueRestartResponse> {
    return this.manager.restart(this.manager.queue(query.queue));
  }
}
