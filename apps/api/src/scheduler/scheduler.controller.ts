import { Body, Controller, Delete, Get, Param, PipeTransform, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, SCHEDULE_NAME, validationFailed } from '@conveyor/contracts';
import { AdminOnly } from '@conveyor/http';
import { Caller, CurrentCaller, IdentityGuard } from '@conveyor/http';
import { ApiErrorResponses, ApiSuccess, ApiSuccessList } from '@conveyor/http';
import { ThrottleAs } from '@conveyor/http';
import { DelayedJobRequest, RepeatingScheduleRequest } from './dto/scheduler.request';
import {
  DelayedJobResponse,
  DeletedScheduleResponse,
  ScheduleResponse,
  SchedulerHealthResponse,
  SchedulerMetricsResponse,
  SchedulerStatsResponse,
  TriggeredScheduleResponse,
} from './dto/scheduler.response';
import { SchedulerService } from './scheduler.service';

const SUBMIT_ERRORS = [
  ErrorCode.ValidationFailed,
  ErrorCode.UnknownJobType,
  ErrorCode.TargetNotAllowed,
  ErrorCode.QueueFull,
  ErrorCode.QueueDraining,
  ErrorCode.QueueUnavailable,
] as const;

/** A schedule name from the path, checked like the one it was created with. */
const scheduleNamePipe: PipeTransform<string, string> = {
  transform(value: string): string {
    if (!SCHEDULE_NAME.test(value))
      throw validationFailed([{ field: 'name', message: 'name must be 1-64 characters of a-z 0-9 and inner hyphens' }]);
    return value;
  },
};

/** Delayed one-off jobs: any caller, owned like any job. */
@ApiTags('scheduler')
@UseGuards(IdentityGuard)
@Controller('api/v1/scheduler')
export class DelayedJobsController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Post('delayed')
  @ThrottleAs('submit')
  @ApiOperation({
    summary: 'Submit a job that runs later',
    description: 'Exactly one of `delayMs` or `runAt` (in the future, at most 30 days ahead). The job is yours, as from POST /api/v1/jobs.',
  })
  @ApiSuccess(DelayedJobResponse, ApiCreatedResponse)
  @ApiErrorResponses(...SUBMIT_ERRORS, ErrorCode.Unauthenticated, ErrorCode.Forbidden)
  async delayed(
    @CurrentCaller() caller: Caller,
    @Body() body: DelayedJobRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DelayedJobResponse> {
    const job = await this.scheduler.submitDelayed(caller, body);
    res.setHeader('location', `/api/v1/jobs/${job.jobId}`);
    return job;
  }
}

/** Repeating schedules and the scheduler's state. Admin only. */
@ApiTags('scheduler')
@AdminOnly()
@Controller('api/v1/scheduler')
export class SchedulerController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Post('repeating')
  @ApiOperation({
    summary: 'Create a repeating schedule',
    description:
      'Stored in MongoDB. Each cron run submits one job owned by `service:scheduler`; a schedule of a system task ' +
      "(`cleanup-expired-jobs`, …) runs that task on the maintenance queue with `data` as its options. Seed 004's body works " +
      'as written: `cronExpression` for `cron`, `queue` (checked), no `name` (one is made from the type and a hash). Invalid ' +
      '`cron` or `timezone`, or runs closer than SCHEDULE_MIN_INTERVAL_MS → 400 naming the field; a taken name → 409.',
  })
  @ApiSuccess(ScheduleResponse, ApiCreatedResponse)
  @ApiErrorResponses(...SUBMIT_ERRORS, ErrorCode.ScheduleExists)
  create(@CurrentCaller() caller: Caller, @Body() body: RepeatingScheduleRequest): Promise<ScheduleResponse> {
    return this.scheduler.create(caller, body);
  }

  @Get('repeating')
  @ApiOperation({ summary: 'Every repeating schedule, by name, system schedules (`system: true`) included' })
  @ApiSuccessList(ScheduleResponse, ApiOkResponse)
  list(): Promise<ScheduleResponse[]> {
    return this.scheduler.list();
  }

  @Delete('repeating/:name')
  @ApiOperation({
    summary: 'Delete a repeating schedule',
    description: 'No run fires after the tick in progress, if any. A system schedule cannot be deleted (409 SCHEDULE_IS_SYSTEM).',
  })
  @ApiSuccess(DeletedScheduleResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ScheduleNotFound, ErrorCode.ScheduleIsSystem, ErrorCode.ValidationFailed)
  delete(@Param('name', scheduleNamePipe) name: string): Promise<DeletedScheduleResponse> {
    return this.scheduler.delete(name);
  }

  @Post('jobs/:name/trigger')
  @ApiOperation({
    summary: 'Run a schedule now',
    description: 'Submits one job now (a system schedule: one run of its task on the maintenance queue); the cron runs keep their times.',
  })
  @ApiSuccess(TriggeredScheduleResponse, ApiCreatedResponse)
  @ApiErrorResponses(...SUBMIT_ERRORS, ErrorCode.ScheduleNotFound)
  trigger(@Param('name', scheduleNamePipe) name: string): Promise<TriggeredScheduleResponse> {
    return this.scheduler.trigger(name);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Schedules with next run times and last results (with the last job’s status)' })
  @ApiSuccess(SchedulerStatsResponse, ApiOkResponse)
  stats(): Promise<SchedulerStatsResponse> {
    return this.scheduler.stats();
  }

  @Get('health')
  @ApiOperation({ summary: 'Overdue schedules and the workers’ last tick', description: 'Always 200; `status` says warning.' })
  @ApiSuccess(SchedulerHealthResponse, ApiOkResponse)
  health(): Promise<SchedulerHealthResponse> {
    return this.scheduler.health();
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Ticks, fired and refused runs in all and per schedule (counters in Redis)' })
  @ApiSuccess(SchedulerMetricsResponse, ApiOkResponse)
  metrics(): Promise<SchedulerMetricsResponse> {
    return this.scheduler.metrics();
  }
}
