import { JobEventHub } from './job-event-hub';
import { JobEventStreamService } from './job-event-stream.service';
import { JobOutcomeWaiter } from './job-outcome-waiter';
import { JobEventsController } from './job-events.controller';
import { StreamSlots } from './stream-slots';

/** GET /api/v1/jobs/:jobId/events and `Prefer: wait`, registered in JobsModule (they need JobReads). */
export const JOB_EVENTS = {
  controllers: [JobEventsController],
  providers: [JobEventHub, JobEventStreamService, JobOutcomeWaiter, StreamSlots],
};
