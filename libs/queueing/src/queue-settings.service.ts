import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { EffectiveQueuePolicy, JobTypeRegistry, QueueName, QueueOverrides, QueuePolicy, effectivePolicy } from '@conveyor/contracts';
import { QueueConfigsRepository } from '@conveyor/database';
import { QueueRegistry } from './queue-registry.service';
import { drainingKey } from './backlog-admission';
import { JOB_TYPE_REGISTRY } from './tokens';

/** How long a process trusts its copy of a queue's settings; a change reaches every replica within it. */
export const QUEUE_SETTINGS_TTL_MS = 2_000;

/**
 * A queue's effective policy (defaults from the job catalog's queue policies, then QUEUE_BACKLOG_LIMIT, then what an
 * operator saved in MongoDB), briefly cached per process; and the queue's draining flag, in Redis
 * so every API replica sees it at once.
 */
@Injectable()
export class QueueSettings {
  private readonly cache = new Map<QueueName, { policy: EffectiveQueuePolicy; until: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly configs: QueueConfigsRepository,
    private readonly queues: QueueRegistry,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
  ) {}

  /** The queue's policy as its contracts declare it, before QUEUE_BACKLOG_LIMIT and saved overrides. */
  defaults(name: QueueName): QueuePolicy {
    return this.registry.policy(name);
  }

  async policy(name: QueueName): Promise<EffectiveQueuePolicy> {
    const cached = this.cache.get(name);
    if (cached && cached.until > Date.now()) return cached.policy;
    return this.load(name);
  }

  /**
   * What the environment sets under the saved settings: the backlog limit, what Bull keeps, default
   * attempts (DEFAULT_JOB_ATTEMPTS, within the queue's cap), and WEBHOOK_* for webhooks.
   */
  private fromEnv(name: QueueName): QueueOverrides {
    const { queues, webhooks } = this.config;
    // Seed 004's defaults apply to job queues, not to Conveyor's own (webhooks, maintenance).
    const jobQueue = name !== QueueName.Webhooks && name !== QueueName.Maintenance;
    return {
      ...(queues.backlogLimit ? { backlogLimit: queues.backlogLimit } : {}),
      ...(queues.keepCompleted !== undefined ? { keepCompleted: queues.keepCompleted } : {}),
      ...(queues.keepFailed !== undefined ? { keepFailed: queues.keepFailed } : {}),
      ...(jobQueue && queues.defaultAttempts !== undefined
        ? { attempts: Math.min(queues.defaultAttempts, this.defaults(name).maxAttempts) }
        : {}),
      ...(name === QueueName.Webhooks
        ? { attempts: webhooks.attempts, backoff: { type: 'exponential', delayMs: webhooks.backoffMs }, timeoutMs: webhooks.timeoutMs }
        : {}),
    };
  }

  /** Read now, bypassing the cache. */
  async load(name: QueueName): Promise<EffectiveQueuePolicy> {
    return this.applied(name, await this.configs.overrides(name));
  }

  /** Several queues read now in one round trip, bypassing the cache (a worker polling for changes). */
  async loadAll(names: readonly QueueName[]): Promise<Map<QueueName, EffectiveQueuePolicy>> {
    const saved = await this.configs.allOverrides();
    return new Map(names.map((name) => [name, this.applied(name, saved.get(name) ?? {})]));
  }

  private applied(name: QueueName, saved: QueueOverrides): EffectiveQueuePolicy {
    const policy = effectivePolicy(this.defaults(name), { ...this.fromEnv(name), ...saved });
    this.cache.set(name, { policy, until: Date.now() + QUEUE_SETTINGS_TTL_MS });
    return policy;
  }

  async save(name: QueueName, overrides: QueueOverrides, updatedBy: string): Promise<EffectiveQueuePolicy> {
    await this.configs.save(name, overrides, updatedBy);
    return this.load(name);
  }

  async isDraining(name: QueueName): Promise<boolean> {
    const queue = this.queues.get(name);
    return (await queue.client.exists(drainingKey(queue))) === 1;
  }

  async setDraining(name: QueueName, draining: boolean): Promise<void> {
    const queue = this.queues.get(name);
    const key = drainingKey(queue);
    await (draining ? queue.client.set(key, '1') : queue.client.del(key));
  }
}
