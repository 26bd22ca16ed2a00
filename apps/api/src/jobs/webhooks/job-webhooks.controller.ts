import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import { WebhookDeliveriesRepository, WebhookDeliveryAttempt } from '@conveyor/database';
import { Caller, CurrentCaller, IdentityGuard, SESSION_ID_HEADER, USER_ID_HEADER, jobIdPipe } from '@conveyor/http';
import { ApiErrorResponses, ApiSuccess } from '@conveyor/http';
import { JobReads } from '../job-reads.service';
import { JobWebhooksResponse, WebhookAttemptResponse } from './job-webhooks.response';
import { WEBHOOK_SIGNATURE_DOC } from './webhook-signature.doc';

/** Most attempts one read returns. */
export const MAX_WEBHOOK_ATTEMPTS_LISTED = 100;

@ApiTags('jobs')
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@ApiHeader({ name: SESSION_ID_HEADER, required: false, description: 'Anonymous session id (16-128 URL-safe characters)' })
@UseGuards(IdentityGuard)
@Controller('api/v1/jobs')
export class JobWebhooksController {
  constructor(
    private readonly jobs: JobReads,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  @Get(':jobId/webhooks')
  @ApiOperation({
    summary: "A job's webhook delivery attempts",
    description:
      'Every attempt to deliver the job’s webhooks (`callbackUrl`), newest first, at most 100: status code, duration and error; ' +
      'the receiver’s response body is never kept. For the job’s owner or an administrator.\n\n' +
      'Each webhook is a JSON POST `{ event, jobId, status, progress, step, result?, error?, timestamp }`, your secret ' +
      `being the job's \`callbackSecret\`. ${WEBHOOK_SIGNATURE_DOC} A 2xx within WEBHOOK_TIMEOUT_MS is a delivery; ` +
      'anything else (a 3xx too: redirects are not followed) is retried with backoff.',
  })
  @ApiSuccess(JobWebhooksResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, ErrorCode.JobNotFound)
  async list(@CurrentCaller() caller: Caller, @Param('jobId', jobIdPipe) jobId: string): Promise<JobWebhooksResponse> {
    await this.jobs.get(caller, jobId); // 404 unless the caller owns the job or is an administrator
    const attempts = await this.deliveries.listForJob(jobId, MAX_WEBHOOK_ATTEMPTS_LISTED + 1);
    return {
      items: attempts.slice(0, MAX_WEBHOOK_ATTEMPTS_LISTED).map(toResponse),
      truncated: attempts.length > MAX_WEBHOOK_ATTEMPTS_LISTED,
    };
  }
}

function toResponse(a: WebhookDeliveryAttempt): WebhookAttemptResponse {
  return {
    deliveryId: a.deliveryId,
    event: a.event,
    attempt: a.attempt,
    url: a.url,
    statusCode: a.statusCode ?? null,
    durationMs: a.durationMs,
    error: a.error ?? null,
    at: a.at.toISOString(),
  };
}
