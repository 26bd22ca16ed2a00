import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';
import { IdempotencyService } from './idempotency.service';
import { JobsService } from './jobs.service';
import { JOB_EVENTS } from './events';

@Module({
  controllers: [JobsController, ...JOB_EVENTS.controllers],
  providers: [JobsService, IdempotencyService, ...JOB_EVENTS.providers],
})
export class JobsModule {}
