import { Body, Controller, Delete, Get, Put, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@conveyor/contracts';
import {
  ApiErrorResponses,
  ApiSuccess,
  Caller,
  CurrentCaller,
  IdentityGuard,
  SESSION_ID_HEADER,
  ThrottleAs,
  USER_ID_HEADER,
} from '@conveyor/http';
import { PutNotificationSettingsRequest } from './dto/notification-settings.request';
import { DeletedNotificationSettingsResponse, NotificationSettingsResponse } from './dto/notification-settings.response';
import { WEBHOOK_SIGNATURE_DOC } from '../jobs/webhooks/webhook-signature.doc';
import { NotificationSettingsService } from './notification-settings.service';

const NOTIFICATIONS_DESCRIPTION =
  'When one of your flows ends (`flow.completed`, `flow.failed`, `flow.cancelled`), or one of your jobs outside a flow ' +
  'completes or fails after running at least NOTIFICATION_MIN_JOB_SECONDS (`job.completed`, `job.failed`), Conveyor POSTs ' +
  '`{ event, jobId, type, status, flow?: { status, counts, total }, finishedAt, links: { job, flow } }` to your URL (with no ' +
  'settings: to the service’s NOTIFICATION_WEBHOOK_URL, if set), retried exactly like job webhooks, your secret being ' +
  `the settings' \`secret\`. ${WEBHOOK_SIGNATURE_DOC}`;

@ApiTags('notifications')
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@ApiHeader({ name: SESSION_ID_HEADER, required: false, description: 'Anonymous session id (16-128 URL-safe characters)' })
@UseGuards(IdentityGuard)
@Controller('api/v1/notifications')
export class NotificationSettingsController {
  constructor(private readonly settings: NotificationSettingsService) {}

  @Get('settings')
  @ApiOperation({ summary: 'Your notification settings', description: NOTIFICATIONS_DESCRIPTION })
  @ApiSuccess(NotificationSettingsResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.Unauthenticated, ErrorCode.NotificationSettingsNotFound)
  get(@CurrentCaller() caller: Caller): Promise<NotificationSettingsResponse> {
    return this.settings.get(caller);
  }

  @Put('settings')
  @ThrottleAs('submit')
  @ApiOperation({
    summary: 'Set where your notifications go',
    description: `Replaces your settings (a secret left out: the service’s signs). ${NOTIFICATIONS_DESCRIPTION}`,
  })
  @ApiSuccess(NotificationSettingsResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.TargetNotAllowed, ErrorCode.Unauthenticated)
  put(@CurrentCaller() caller: Caller, @Body() body: PutNotificationSettingsRequest): Promise<NotificationSettingsResponse> {
    return this.settings.put(caller, body);
  }

  @Delete('settings')
  @ThrottleAs('submit')
  @ApiOperation({
    summary: 'Remove your notification settings',
    description: 'Your notifications then go to the service’s NOTIFICATION_WEBHOOK_URL, if it has one, else nowhere.',
  })
  @ApiSuccess(DeletedNotificationSettingsResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.Unauthenticated, ErrorCode.NotificationSettingsNotFound)
  delete(@CurrentCaller() caller: Caller): Promise<DeletedNotificationSettingsResponse> {
    return this.settings.delete(caller);
  }
}
