import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  EffectiveQueuePolicy,
  JobEnvelope,
  JobTypeRegistry,
  MaintenanceJobData,
  QueueName,
  SERVICE_QUEUES,
  WebhookDelivery,
  effectivePolicy,
  errorField,
} from '@conveyor/contracts';
import {
  ConsumerRestarts,
  JOB_TYPE_REGISTRY,
  QueueSettings,
  RedisConnections,
  bullRootOptions,
  lockTokenOf,
  registeredQueueNames,
  withTimeout,
} from '@conveyor/queueing';
import Bull, { Job, Queue } from 'bull';
import { MaintenanceProcessor } from '../maintenance/maintenance.processor';
import { WorkerActivity } from '../observability/worker-activity';
import { passBySettledJobs } from './settled-pickups';
import { JobProcessor } from '../runtime/job-processor.service';
import { WebhookDeliveryProcessor } from '../webhooks/webhook-delivery.processor';

/** How long a settings poll waits for a queue's restart generation. */
const RESTART_READ_TIMEOUT_MS = 1_000;

/** Matches every job name on a queue, so one process() call (one concurrency) serves them all. */
const ALL_JOB_NAMES = '*';

type Processor = (job: Job) => Promise<unknown>;

/** What a consumer was started with; a change to any of them means a new consumer. */
interface Consumer {
  queue: Queue;
  concurrency: number;
  rateLimit: EffectiveQueuePolicy['rateLimit'];
  /** The queue's restart generation when it started (undefined while Redis could not say). */
  generation: number | undefined;
}

/**
 * The only place that calls `queue.process`: one consumer per queue (several named @Process
 * handlers on one queue would each add their own concurrency). Job types' queues go to the job
 * processor; the webhooks queue to the webhook delivery processor; the maintenance queue to the
 * system tasks' processor.
 *
 * Concurrency and the rate limiter are fixed when a Bull queue starts processing, so each consumer
 * is a Bull queue object of its own: when an operator changes either (PUT /api/v1/queues/:name/config),
 * the next poll starts a new consumer with the new settings and closes the old one, which lets its
 * active jobs finish. An operator's restart (POST /api/v1/queue/restart) moves the queue's restart
 * generation, and the next poll replaces the consumer the same way. Pause is global in Redis and
 * needs nothing here. Each consumer's lock token goes into the heartbeat until it has closed, so a
 * restart can tell locks of live workers from those of workers that are gone.
 */
@Injectable()
export class QueueConsumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueConsumers.name);
  private readonly consumers = new Map<QueueName, Consumer>();
  private readonly retiring = new Set<Promise<void>>();
  private poll?: NodeJS.Timeout;
  private applying?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: JobProcessor,
    private readonly webhooks: WebhookDeliveryProcessor,
    private readonly maintenance: MaintenanceProcessor,
    private readonly connections: RedisConnections,
    private readonly settings: QueueSettings,
    private readonly activity: WorkerActivity,
    private readonly restarts: ConsumerRestarts,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const name of this.registry.queues()) {
      // One process() per queue: a service queue has its own processor and no job types.
      if (SERVICE_QUEUES.includes(name)) throw new Error(`Queue ${name} is Conveyor's own; no job type may use it`);
    }
    for (const name of registeredQueueNames(this.registry)) {
      this.start(name, await this.currentPolicy(name), await this.restartGeneration(name));
    }
    // One poll at a time: two overlapping polls could both replace a consumer and leave one running.
    this.poll = setInterval(() => {
      this.applying ??= this.applySettings().finally(() => (this.applying = undefined));
    }, this.config.worker.configPollMs);
  }

  /**
   * Stops taking new jobs in this process and resolves once its active jobs have finished.
   * Other workers keep consuming (a local pause).
   */
  async stopTaking(): Promise<void> {
    this.stopping = true;
    clearInterval(this.poll);
    const activeJobsDone = Promise.all([...this.consumers.values()].map(({ queue }) => queue.pause(true)));
    // pause() marks the queues paused once they report ready (a few microtasks); only then may the
    // blocked job fetches fail, or Bull would report their "Connection is closed" as errors.
    await new Promise((resolve) => setImmediate(resolve));
    this.connections.abortBlockingReads();
    await Promise.all([activeJobsDone, ...this.retiring]);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.poll);
    await Promise.all([...this.consumers.values()].map(({ queue }) => queue.close().catch(() => undefined)));
  }

  private processorFor(name: QueueName): Processor {
    const serviceProcessors: Partial<Record<QueueName, Processor>> = {
      [QueueName.Webhooks]: (job) => this.webhooks.process(job as Job<WebhookDelivery>),
      [QueueName.Maintenance]: (job) => this.maintenance.process(job as Job<MaintenanceJobData>),
    };
    return serviceProcessors[name] ?? ((job) => this.processor.process(job as Job<JobEnvelope>));
  }

  /** The saved settings, or the queue policy's defaults while MongoDB cannot be read. */
  private async currentPolicy(name: QueueName): Promise<EffectiveQueuePolicy> {
    try {
      return await this.settings.load(name);
    } catch (error) {
      this.logger.warn(errorField(error), `Settings of queue ${name} unreadable, using its defaults`);
      return effectivePolicy(this.settings.defaults(name));
    }
  }

  /** Undefined while Redis cannot say within a moment (the worker's commands wait for Redis, never fail). */
  private async restartGeneration(name: QueueName): Promise<number | undefined> {
    return withTimeout(this.restarts.generation(name), RESTART_READ_TIMEOUT_MS).catch(() => undefined);
  }

  /** The policy's concurrency, capped by WORKER_MAX_CONCURRENCY. */
  private concurrencyOf(policy: EffectiveQueuePolicy): number {
    return Math.min(policy.concurrency, this.config.worker.maxConcurrency ?? Infinity);
  }

  private start(name: QueueName, policy: EffectiveQueuePolicy, generation: number | undefined): void {
    const concurrency = this.concurrencyOf(policy);
    const limiter = policy.rateLimit ? { max: policy.rateLimit.max, duration: policy.rateLimit.durationMs } : undefined;
    const queue = new Bull(name, { ...bullRootOptions(this.config, this.connections), limiter });
    this.activity.holdingLocks(lockTokenOf(queue), true);
    queue.on('error', (error) => this.logger.error(errorField(error), `Queue ${name}`));
    // process() resolves only when the queue closes; failures to start surface as errors here.
    // WorkerActivity: each attempt logs with its job id and queue, and counts in the metrics.
    const processor = this.activity.consumer(name, concurrency, this.processorFor(name));
    passBySettledJobs(queue, this.logger);
    queue
      .process(ALL_JOB_NAMES, concurrency, processor)
      .catch((error: Error) => this.logger.error(errorField(error), `Consumer for queue ${name} stopped`));
    this.consumers.set(name, { queue, concurrency, rateLimit: policy.rateLimit, generation });
    const limit = policy.rateLimit ? `, at most ${policy.rateLimit.max} jobs per ${policy.rateLimit.durationMs} ms` : '';
    this.logger.log(`Consuming queue ${name} with concurrency ${concurrency}${limit}`);
  }

  /** Restarts the consumers whose concurrency or rate limit an operator changed, or that an operator restarted. */
  private async applySettings(): Promise<void> {
    let policies: Map<QueueName, EffectiveQueuePolicy>;
    try {
      policies = await this.settings.loadAll([...this.consumers.keys()]); // one read for every queue
    } catch {
      return; // MongoDB unreachable: keep the current settings, try again next poll
    }
    for (const [name, current] of this.consumers) {
      const policy = policies.get(name)!;
      const generation = (await this.restartGeneration(name)) ?? current.generation;
      const restarted = current.generation !== undefined && generation !== current.generation;
      const concurrency = this.concurrencyOf(policy);
      const unchanged = concurrency === current.concurrency && sameRateLimit(policy.rateLimit, current.rateLimit);
      if (this.stopping) continue;
      if (unchanged && !restarted) {
        current.generation = generation; // first read after Redis could not say at start
        continue;
      }
      if (restarted) this.logger.log(`Restarting the consumer of queue ${name} (an operator asked)`);
      this.start(name, policy, generation);
      this.retire(current.queue);
    }
  }

  /** Closes a replaced consumer: it takes no new job and its active jobs run to the end. */
  private retire(queue: Queue): void {
    // close() pauses the consumer locally, but job fetches already blocked on its connection would
    // still take jobs (with the old settings): drop that connection at once, and for good after.
    const blocking = () => (queue as Queue & { bclient?: { disconnect(): void } }).bclient;
    const closed = queue
      .close()
      .then(() => blocking()?.disconnect())
      .then(() => this.activity.holdingLocks(lockTokenOf(queue), false))
      .catch((error: Error) => this.logger.warn(errorField(error), `Replaced consumer of ${queue.name} did not close cleanly`));
    setImmediate(() => blocking()?.disconnect());
    this.retiring.add(closed);
    void closed.finally(() => this.retiring.delete(closed));
  }
}

function sameRateLimit(a: EffectiveQueuePolicy['rateLimit'], b: EffectiveQueuePolicy['rateLimit']): boolean {
  return a?.max === b?.max && a?.durationMs === b?.durationMs;
}
