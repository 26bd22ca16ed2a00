import { JobStatus, QueueName } from '@conveyor/contracts';
import { JobResponse } from './job.response';

/** A job view for unit tests: an http.request job in `status`, with `overrides`. */
export function jobView(jobId: string, status: JobStatus, overrides: Partial<JobResponse> = {}): JobResponse {
  return {
    jobId,
    type: 'http.request',
    queue: QueueName.Http,
    status,
    conveyorStatus: status,
    priority: 5,
    progress: { percent: 0, step: null },
    attemptsMade: 0,
    maxAttempts: 3,
    run: 1,
    result: null,
    error: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    runAt: null,
    source: 'queue',
    attempts: 0,
    completedAt: null,
    failedAt: null,
    processingTime: null,
    ...overrides,
  };
}
