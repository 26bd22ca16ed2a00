import { ApiProperty } from '@nestjs/swagger';
import { NotificationEvent } from '@conveyor/contracts';

/** The caller's notification settings; the secret is never shown, only whether there is one. */
export class NotificationSettingsResponse {
  @ApiProperty({ example: 'https://example.com/hooks/conveyor-notifications' })
  url!: string;

  @ApiProperty({ enum: NotificationEvent, isArray: true })
  events!: NotificationEvent[];

  @ApiProperty({ description: 'true: signed with your own secret; false: with the service’s WEBHOOK_SIGNING_SECRET' })
  ownSecret!: boolean;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class DeletedNotificationSettingsResponse {
  @ApiProperty({ enum: [true] })
  deleted!: true;
}
