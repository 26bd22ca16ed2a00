import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';
import { IdempotencyService } from './idempotency.service';
import { JobActions } from './job-actions.service';
import { JobReads } from './job-reads.service';
import { JobSubmissions } from './job-submissions.service';
import { JobWebhooksController } from './webhooks/job-webhooks.controller';
import { JOB_EVENTS } from './events';
import { JobFlowController } from './flows/job-flow.controller';
import { JobFlows } from './flows/job-flows.service';
import { FlowReads } from './flows/flow-reads';

@Module({
  controllers: [JobsController, JobWebhooksController, JobFlowController, ...JOB_EVENTS.controllers],
  providers: [JobSubmissions, JobReads, JobActions, JobFlows, FlowReads, IdempotencyService, ...JOB_EVENTS.providers],
  // Dead letters' requeue starts a new run through JobActions.runAgain, like a retry.
  exports: [JobActions],
})
export class JobsModule {}
