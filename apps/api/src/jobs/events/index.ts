import { JobEventHub } from './job-event-hub';
import { JobEventStreamService } from './job-event-stream.service';
import { JobEventsController } from './job-events.controller';
import { StreamSlots } from './stream-slots';

/** GET /api/v1/jobs/:jobId/events, registered in JobsModule (it needs JobsService). */
export const JOB_EVENTS = {
  controllers: [JobEventsController],
  providers: [JobEventHub, JobEventStreamService, StreamSlots],
};
