import { Controller, Get, Headers, Param, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import type { Response } from 'express';
import { Caller, CurrentCaller, IdentityGuard, SESSION_ID_HEADER, USER_ID_HEADER, jobIdPipe } from '@conveyor/http';
import { ApiErrorResponses } from '@conveyor/http';
import { JobEventStreamService } from './job-event-stream.service';
import { parseLastEventId } from './job-event-tracker';

const LAST_EVENT_ID_HEADER = 'last-event-id';

@ApiTags('jobs')
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@ApiHeader({ name: SESSION_ID_HEADER, required: false, description: 'Anonymous session id (16-128 URL-safe characters)' })
@UseGuards(IdentityGuard)
@Controller('api/v1/jobs')
export class JobEventsController {
  constructor(private readonly streams: JobEventStreamService) {}

  @Get(':jobId/events')
  @ApiOperation({
    summary: "Follow a job's progress live (Server-Sent Events)",
    description:
      'A `text/event-stream` for the job’s owner (or an administrator). Events, each with an increasing `id`: `snapshot` ' +
      '(the job, as GET /api/v1/jobs/:jobId returns it) first; `status` (the job) when its status or attempt changes; ' +
      '`progress` (`{ jobId, percent, step }`); for a job that fanned out, `flow` (`{ jobId, status, counts, total, progress }`, ' +
      'the flow under it) when that changes; then one of `completed`, `failed`, `cancelled` (the final job), after which ' +
      'the server closes the stream, so close your EventSource on it. A job that fanned out gets its final event once the flow ' +
      'under it has ended too (its own end before that is a `status` event). A job that already ended gets `snapshot` and its final ' +
      'event at once. `: ping` comments every 15 s keep proxies from closing the stream. Reconnecting with `Last-Event-ID` ' +
      'gives a fresh snapshot (and the final event if the job ended meanwhile) with ids above the one sent. At most ' +
      '`SSE_MAX_STREAMS_PER_CALLER` streams per caller may be open at once, across all API replicas.',
  })
  @ApiParam({ name: 'jobId', format: 'uuid' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received, when reconnecting' })
  // The stream is text/event-stream; the errors, answered before it starts, are JSON envelopes.
  @ApiOkResponse({
    description: 'The event stream',
    content: {
      'text/event-stream': {
        schema: { type: 'string', example: 'id: 1\nevent: snapshot\ndata: {"jobId":"…","status":"active",…}\n\n' },
      },
    },
  })
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound, ErrorCode.RateLimited)
  async events(
    @CurrentCaller() caller: Caller,
    @Param('jobId', jobIdPipe) jobId: string,
    @Headers(LAST_EVENT_ID_HEADER) lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    // With @Res() Nest sends nothing itself (the success envelope never applies); an error thrown
    // here is still answered with the JSON error envelope, as no header has been sent yet.
    await this.streams.start(caller, jobId, parseLastEventId(lastEventId), res);
  }
}
