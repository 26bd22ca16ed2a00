import { Module } from '@nestjs/common';
import { NotificationSettingsController } from './notification-settings.controller';
import { NotificationSettingsService } from './notification-settings.service';

/** Where a caller's notifications go (the send-notification jobs themselves run in the worker). */
@Module({
  controllers: [NotificationSettingsController],
  providers: [NotificationSettingsService],
})
export class NotificationsModule {}
