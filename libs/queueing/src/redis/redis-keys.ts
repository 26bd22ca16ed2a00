import type { Queue } from 'bull';

/**
 * Every Redis key Conveyor builds, in one place (Bull's own keys are Bull's). Changing one strands
 * what is stored under the old name, so names here are stable. Two families:
 * - conveyorKeys(prefix): keys of the service as a whole (BULL_PREFIX first);
 * - queueKeys(queue): keys of one queue, under Bull's own `<prefix>:<queue>:` (Lua scripts that
 *   take the queue's keys expect them there).
 */
export function conveyorKeys(prefix: string) {
  const base = `${prefix}:conveyor`;
  const scheduler = `${base}:scheduler`;
  return {
    /** Set of live worker ids; each worker's heartbeat at `workers:<id>`. */
    workers: `${base}:workers`,
    workerHeartbeat: (id: string) => `${base}:workers:${id}`,
    /** The latest probe of each downstream service (hash). */
    servicesHealth: `${base}:services:health`,
    /** Where the flow-fan-in sweep goes on from: the last fan-out id it checked. */
    flowFanInCursor: `${base}:flows:fan-in-cursor`,
    /** Each live worker's circuit breaker states (hash `<worker id>|<origin>` → JSON). */
    circuits: `${base}:circuits`,
    scheduler: {
      /** The ticker's lease: one worker fires due schedules at a time. */
      lock: `${scheduler}:lock`,
      /** Claimed before a cron run is submitted, so it is submitted once across workers. */
      run: (name: string, runAt: Date) => `${scheduler}:run:${name}:${runAt.getTime()}`,
      /** Counters: `ticks`, `fired`, `refused`, `fired:<name>`, `refused:<name>`; `lastTickAt` (ISO). */
      stats: `${scheduler}:stats`,
    },
    /** This Redis's data generation, also kept in MongoDB: gone or different means Redis lost its data. */
    epoch: `${base}:epoch`,
    /** The reconcile sweep's lease, cursor and counters. */
    reconcile: (name: 'lock' | 'cursor' | 'stats') => `${base}:reconcile:${name}`,
    /** An Idempotency-Key's claim and stored answer, by the hash of owner and key. */
    idempotency: (hash: string) => `${prefix}:idempotency:${hash}`,
    /** A caller's open SSE streams (sorted set of slots). */
    sseStreams: (ownerKey: string) => `${prefix}:sse-streams:${ownerKey}`,
    /** The throttler's counters. */
    throttle: (throttler: string, tracker: string) => `${prefix}:throttle:${throttler}:${tracker}`,
    /** A product's own keys: `<prefix>:conveyor:<product>:<name>`. */
    product: (product: string, name: string) => `${base}:${product}:${name}`,
  };
}

export function queueKeys(queue: Pick<Queue, 'toKey'>) {
  return {
    /** Set while the queue drains: it finishes its jobs but admits none. */
    draining: queue.toKey('conveyor:draining'),
    /** Admission reservations (exact backlog admission). */
    admission: queue.toKey('conveyor:admission'),
    /** A job's cancel request, and the channel workers hear cancel requests on. */
    cancel: (jobId: string) => queue.toKey(`conveyor:cancel:${jobId}`),
    cancelChannel: queue.toKey('conveyor:cancel'),
    /** A run's sealed result, set the moment its handler returns (before the record write and Bull's ack). */
    runDone: (jobId: string, run: number) => queue.toKey(`conveyor:done:${jobId}:${run}`),
    /** Outcome counters and histograms. */
    metrics: (suffix: string) => queue.toKey(`conveyor:metrics:${suffix}`),
    /** The last processing times (for wait estimates). */
    durations: queue.toKey('conveyor:durations'),
    /** The last queue waits: ms from enqueue (or due time) to a worker's first take. */
    waits: queue.toKey('conveyor:waits'),
    /** The consumers' restart generation: workers re-create their consumer when it moves. */
    restarts: queue.toKey('conveyor:restarts'),
  };
}
