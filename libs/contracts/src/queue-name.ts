/** Every Bull queue Conveyor runs. A queue is a lane with its own policy (see queue-policy.ts). */
export enum QueueName {
  /** Outbound HTTP calls (`http.request`). */
  Http = 'http',
}
