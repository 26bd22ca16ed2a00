import type { paths } from './schema';

/**
 * Names for the shapes clients handle most, read off the generated `paths` by route (not by
 * schema or operation name, so a renamed DTO or operationId changes nothing here).
 */
type JsonOk<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': { data: infer D } } } };
}
  ? D
  : never;

/** A job as GET /api/v1/jobs/:jobId shows it (and SSE snapshot, status and final events carry it). */
export type JobView = JsonOk<'/api/v1/jobs/{jobId}', 'get'>;
/** The body of POST /api/v1/jobs. */
export type SubmitJobBody = paths['/api/v1/jobs']['post']['requestBody'] extends { content: { 'application/json': infer B } } ? B : never;
/** The filters of GET /api/v1/jobs. */
export type JobListQuery = NonNullable<paths['/api/v1/jobs']['get']['parameters']['query']>;
/** The filters of GET /api/v1/dead-letters. */
export type DeadLetterQuery = NonNullable<paths['/api/v1/dead-letters']['get']['parameters']['query']>;

/** What a `progress` event carries (the SSE stream is not described by the OpenAPI document). */
export interface JobProgressEvent {
  jobId: string;
  percent: number;
  step: string | null;
}
