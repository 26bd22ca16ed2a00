import { Module } from '@nestjs/common';
import { GuideWebhooks } from './guide-webhooks';
import { VideoRunHooks } from './video-run-hooks';

/** What both apps need: the guide's webhooks and the hook that sends a run's final one. */
@Module({
  providers: [GuideWebhooks, VideoRunHooks],
  exports: [GuideWebhooks],
})
export class VideoRunsModule {}
