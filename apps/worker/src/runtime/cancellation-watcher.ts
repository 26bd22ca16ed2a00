import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JobTypeRegistry, errorField } from '@conveyor/contracts';
import { JOB_TYPE_REGISTRY, JobControl, RedisConnections } from '@conveyor/queueing';
import { JobCancelledError, JobLockLostError } from '@conveyor/job-runtime';

/**
 * Delivers cancel requests to the jobs this process runs: at once through Redis pub/sub, and at
 * every step boundary through the request key (which also covers a message missed while the
 * subscriber reconnected). It also fences executions (RELIABILITY F12): a job this process takes
 * again while an older execution of it still runs stops the older one at once, and a boundary
 * where the job's Bull lock no longer holds this worker's token stops the execution there.
 */
@Injectable()
export class CancellationWatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger(CancellationWatcher.name);
  /** The newest execution of each job this process runs. */
  private readonly running = new Map<string, Execution>();
  private readonly bySignal = new WeakMap<AbortSignal, Execution>();

  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly control: JobControl,
    private readonly connections: RedisConnections,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const subscriber = this.connections.dedicatedSubscriber();
    subscriber.on('message', (_channel: string, jobId: string) => this.running.get(jobId)?.controller.abort(new JobCancelledError()));
    subscriber.on('error', (error: Error) => this.logger.warn(errorField(error), 'Cancel subscription'));
    await subscriber.subscribe(...this.registry.queues().map((q) => this.control.cancelChannel(q)));
  }

  /** Signal aborted when the job is cancelled while this process runs it. */
  track(jobId: string): AbortSignal {
    const older = this.running.get(jobId);
    let end: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const execution: Execution = { controller: new AbortController(), ended, end };
    this.running.set(jobId, execution);
    this.bySignal.set(execution.controller.signal, execution);
    // Bull gave this process the job again (its lock was lost): the older execution is a zombie.
    older?.controller.abort(new JobLockLostError(jobId));
    return execution.controller.signal;
  }

  /** Forgets an execution (a newer one of the same job, if any, stays tracked). */
  untrack(jobId: string, signal: AbortSignal): void {
    const execution = this.bySignal.get(signal);
    execution?.end();
    if (this.running.get(jobId) === execution) this.running.delete(jobId);
  }

  /**
   * Resolves once the newer execution of the job in this process (if any) has ended. A zombie
   * waits for it before it lets Bull see its error: Bull moves a job for any execution holding its
   * queue's token, so a zombie failing first would move the job from under the newer execution.
   */
  async newerEnded(jobId: string, signal: AbortSignal): Promise<void> {
    const newest = this.running.get(jobId);
    if (newest && newest.controller.signal !== signal) await newest.ended;
  }

  /** The step boundary: stops a cancelled job, and an execution that no longer holds the job's lock. */
  async checkBoundary(queue: string, jobId: string, lockToken: string, processedOn?: number): Promise<void> {
    const { cancelRequested, lockHeld } = await this.control.boundary(queue, jobId, lockToken, processedOn);
    if (!lockHeld) throw new JobLockLostError(jobId);
    if (cancelRequested) throw new JobCancelledError();
  }
}

interface Execution {
  controller: AbortController;
  /** Resolved when the execution ends (untrack). */
  ended: Promise<void>;
  end: () => void;
}
