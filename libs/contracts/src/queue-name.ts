/**
 * A Bull queue's name. A queue is a lane with its own policy (queue-policy.ts); the platform's own
 * queues are named here, a product names its queues in its contracts.
 */
export type QueueName = string;

/** The platform's queues. */
export const QueueName = {
  /** Outbound HTTP calls (`http.request`). */
  Http: 'http',
  /** Notifications of flows' and long jobs' ends (`send-notification`): each hands one delivery to `webhooks`. */
  Notifications: 'notifications',
  /** Webhook deliveries: Conveyor's own work, with no client-submittable job types. */
  Webhooks: 'webhooks',
  /** System tasks fired by system schedules (cleanup, stats, reconcile, service probes). */
  Maintenance: 'maintenance',
} as const;

/**
 * Queues no job type names (Conveyor's own work). Both apps register them next to the job types'
 * queues; the worker consumes each with its own processor, never the job processor.
 */
export const SERVICE_QUEUES: readonly QueueName[] = [QueueName.Webhooks, QueueName.Maintenance];
