import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';
import { IdempotencyService } from './idempotency.service';
import { JobsService } from './jobs.service';
import { JobWebhooksController } from './webhooks/job-webhooks.controller';
import { JOB_EVENTS } from './events';

@Module({
  controllers: [JobsController, JobWebhooksController, ...JOB_EVENTS.controllers],
  providers: [JobsService, IdempotencyService, ...JOB_EVENTS.providers],
  // Dead letters' requeue starts a new run through JobsService.runAgain, like a retry.
  exports: [JobsService],
})
export class JobsModule {}
