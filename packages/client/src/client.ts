import createClient from 'openapi-fetch';
import type { DeadLetterQuery, JobListQuery, SubmitJobBody } from './api-types';
import { unwrap } from './envelope';
import type { ServerSentEvent } from './event-stream';
import type { paths } from './schema';
import { WatchJobOptions, watchJob } from './watch-job';

export interface ConveyorClientOptions {
  /** The API's origin, e.g. http://127.0.0.1:3000 (no /api/v1). */
  baseUrl: string;
  /** ADMIN_API_TOKEN or a JWT, sent as `Authorization: Bearer …`. */
  token?: string;
  /** The caller's id in gateway mode, sent as `x-user-id`. */
  userId?: string;
  fetch?: typeof fetch;
}

export interface SubmitOptions {
  /** `Prefer: wait=N` (N ≤ 30): the answer waits up to N s for the job to finish. */
  waitSeconds?: number;
  idempotencyKey?: string;
}

/**
 * The Conveyor API, typed from its OpenAPI document. `api` is the plain openapi-fetch client for
 * every route; the helpers cover the job routes and unwrap the `{ success, data }` envelope,
 * throwing a ConveyorApiError for error answers. They name routes by path (operationIds may change).
 */
export function createConveyorClient(options: ConveyorClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers = identityHeaders(options);
  const customFetch = options.fetch;
  const api = createClient<paths>({ baseUrl, headers, ...(customFetch && { fetch: (request: Request) => customFetch(request) }) });
  const job = (jobId: string) => ({ params: { path: { jobId } } });

  return {
    api,
    /** 201 with the submitted job; with `waitSeconds`, the final job (200) if it ended in time. */
    submitJob: async (body: SubmitJobBody, { waitSeconds, idempotencyKey }: SubmitOptions = {}) => {
      const answer = await unwrap(
        api.POST('/api/v1/jobs', {
          body,
          headers: {
            ...(waitSeconds !== undefined && { prefer: `wait=${waitSeconds}` }),
            ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
          },
        }),
      );
      // Only ?dryRun=true answers with a plan, and this helper never sends it.
      if ('dryRun' in answer) throw new Error('POST /api/v1/jobs answered with a dry-run plan to a real submission');
      return answer;
    },
    getJob: (jobId: string) => unwrap(api.GET('/api/v1/jobs/{jobId}', job(jobId))),
    cancelJob: (jobId: string) => unwrap(api.POST('/api/v1/jobs/{jobId}/cancel', job(jobId))),
    retryJob: (jobId: string) => unwrap(api.POST('/api/v1/jobs/{jobId}/retry', job(jobId))),
    listJobs: (query: JobListQuery = {}) => unwrap(api.GET('/api/v1/jobs', { params: { query } })),
    /** Admin. */
    listQueues: () => unwrap(api.GET('/api/v1/queues')),
    /** Admin. */
    listDeadLetters: (query: DeadLetterQuery = {}) => unwrap(api.GET('/api/v1/dead-letters', { params: { query } })),
    /** Server-Sent Events of one job until its final event (see watch-job.ts). */
    watchJob: (jobId: string, onEvent: (event: ServerSentEvent) => void, watchOptions?: WatchJobOptions) =>
      watchJob({ baseUrl, headers, fetch: options.fetch }, jobId, onEvent, watchOptions),
  };
}

export type ConveyorClient = ReturnType<typeof createConveyorClient>;

function identityHeaders({ token, userId }: ConveyorClientOptions): Record<string, string> {
  return { ...(token && { authorization: `Bearer ${token}` }), ...(userId && { 'x-user-id': userId }) };
}
