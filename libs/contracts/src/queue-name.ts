/** Every Bull queue Conveyor runs. A queue is a lane with its own policy (see queue-policy.ts). */
export enum QueueName {
  /** Outbound HTTP calls (`http.request`). */
  Http = 'http',
  /** Viral-ideas analysis runs (`viral-ideas.analysis`). */
  ViralAnalysis = 'viral-analysis',
  /** Webhook deliveries: Conveyor's own work, with no client-submittable job types. */
  Webhooks = 'webhooks',
  /** System tasks fired by system schedules (cleanup, stats, reconcile, service probes). */
  Maintenance = 'maintenance',
}

/**
 * Queues no job type names (Conveyor's own work). Both apps register them next to the job types'
 * queues; the worker consumes each with its own processor, never the job processor.
 */
export const SERVICE_QUEUES: readonly QueueName[] = [QueueName.Webhooks, QueueName.Maintenance];
