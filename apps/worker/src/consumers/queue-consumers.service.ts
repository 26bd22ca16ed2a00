import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JobEnvelope, JobTypeRegistry, QueueName, SERVICE_QUEUES, WebhookDelivery, queuePolicy } from '@conveyor/contracts';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { JOB_TYPE_REGISTRY, QueueRegistry, RedisConnections } from '@conveyor/queueing';
import { Job, Queue } from 'bull';
import { JobProcessor } from '../runtime/job-processor.service';
import { WebhookDeliveryProcessor } from '../webhooks/webhook-delivery.processor';

/** Matches every job name on a queue, so one process() call (one concurrency) serves them all. */
const ALL_JOB_NAMES = '*';

/**
 * The only place that calls `queue.process`: one consumer per queue, with the queue policy's
 * concurrency. (Several named @Process handlers on one queue would each add their own
 * concurrency, so the total would grow with every job type.) Job types' queues go to the job
 * processor; the webhooks queue to the webhook delivery processor.
 */
@Injectable()
export class QueueConsumers implements OnApplicationBootstrap {
  private readonly logger = new Logger(QueueConsumers.name);

  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueRegistry,
    private readonly processor: JobProcessor,
    private readonly webhooks: WebhookDeliveryProcessor,
    private readonly connections: RedisConnections,
  ) {}

  onApplicationBootstrap(): void {
    for (const name of this.registry.queues()) {
      // One process() per queue: a service queue has its own processor and no job types.
      if (SERVICE_QUEUES.includes(name)) throw new Error(`Queue ${name} is Conveyor's own; no job type may use it`);
      this.consume(name, (job: Job<JobEnvelope>) => this.processor.process(job));
    }
    this.consume(QueueName.Webhooks, (job: Job<WebhookDelivery>) => this.webhooks.process(job));
  }

  private consume<T>(name: QueueName, processor: (job: Job<T>) => Promise<unknown>): void {
    const queue = this.queues.get(name);
    const concurrency = Math.min(queuePolicy(name).concurrency, this.config.worker.maxConcurrency ?? Infinity);
    queue.on('error', (error) => this.logger.error(`Queue ${name}: ${error.message}`));
    // process() resolves only when the queue closes; failures to start surface as errors here.
    queue
      .process(ALL_JOB_NAMES, concurrency, processor)
      .catch((error: Error) => this.logger.error(`Consumer for queue ${name} stopped: ${error.message}`));
    this.logger.log(`Consuming queue ${name} with concurrency ${concurrency}`);
  }

  /**
   * Stops taking new jobs in this process and resolves once its active jobs have finished.
   * Other workers keep consuming (a local pause).
   */
  async stopTaking(): Promise<void> {
    const activeJobsDone = Promise.all(this.queues.all().map((queue: Queue) => queue.pause(true)));
    // pause() marks the queues paused once they report ready (a few microtasks); only then may the
    // blocked job fetches fail, or Bull would report their "Connection is closed" as errors.
    await new Promise((resolve) => setImmediate(resolve));
    this.connections.abortBlockingReads();
    await activeJobsDone;
  }
}
