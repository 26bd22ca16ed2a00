import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JobTypeRegistry } from '@conveyor/contracts';
import { JOB_TYPE_REGISTRY, JobControl, RedisConnections } from '@conveyor/queueing';
import { JobCancelledError } from '@conveyor/job-runtime';

/**
 * Delivers cancel requests to the jobs this process runs: at once through Redis pub/sub, and at
 * every step boundary through the request key (which also covers a message missed while the
 * subscriber reconnected).
 */
@Injectable()
export class CancellationWatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger(CancellationWatcher.name);
  private readonly running = new Map<string, AbortController>();

  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    private readonly control: JobControl,
    private readonly connections: RedisConnections,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const subscriber = this.connections.dedicatedSubscriber();
    subscriber.on('message', (_channel: string, jobId: string) => this.running.get(jobId)?.abort(new JobCancelledError()));
    subscriber.on('error', (error: Error) => this.logger.warn(`Cancel subscription: ${error.message}`));
    await subscriber.subscribe(...this.registry.queues().map((q) => this.control.cancelChannel(q)));
  }

  /** Signal aborted when the job is cancelled while this process runs it. */
  track(jobId: string): AbortSignal {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    return controller.signal;
  }

  untrack(jobId: string): void {
    this.running.delete(jobId);
  }

  async throwIfRequested(queue: string, jobId: string): Promise<void> {
    if (await this.control.isCancelRequested(queue, jobId)) throw new JobCancelledError();
  }
}
