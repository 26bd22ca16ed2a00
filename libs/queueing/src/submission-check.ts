import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  ConveyorError,
  DEFAULT_WEBHOOK_EVENTS,
  ErrorCode,
  JobCallback,
  JobOptionsInput,
  JobTypeRegistry,
  Owner,
  SubmitJobInput,
  checkOutboundUrl,
  fromHigherFirst,
  resolveJobOptions,
  validatePayload,
  validationFailed,
  signingSecretRefusal,
} from '@conveyor/contracts';
import type { PreparedJob, SubmitOrigin } from './job-producer.service';
import { QueueSettings } from './queue-settings.service';
import { JOB_TYPE_REGISTRY } from './tokens';

/**
 * Whether a submission may be accepted, and what it becomes: its type (and whether this caller may
 * submit it), its payload, its outbound targets and callback, its options against the queue's
 * policy. No Redis write and no record: the producer admits and enqueues what this returns.
 */
@Injectable()
export class SubmissionCheck {
  constructor(
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: QueueSettings,
  ) {}

  /** Checks type, identity, payload, outbound targets and callback; resolves the options. */
  async prepare(owner: Owner, input: SubmitJobInput, origin: SubmitOrigin = 'client'): Promise<PreparedJob> {
    const definition = this.registry.get(input.type);
    if (!definition) {
      throw new ConveyorError(ErrorCode.UnknownJobType, `Unknown job type "${input.type}"`, {
        fields: [{ field: 'type', message: `type must be one of: ${clientTypes(this.registry)}` }],
      });
    }
    if (definition.startedBy && origin === 'client') {
      const message = `type ${definition.type} is not submitted directly; start it with ${definition.startedBy}`;
      throw new ConveyorError(ErrorCode.UnknownJobType, message, { fields: [{ field: 'type', message }] });
    }
    if (input.queue !== undefined && input.queue !== definition.queue) {
      const message = `queue must be ${definition.queue} for type ${definition.type} (or left out)`;
      throw validationFailed([{ field: 'queue', message }]);
    }
    if (owner.kind === 'session' && !definition.anonymousSessions) {
      throw new ConveyorError(ErrorCode.Forbidden, `Job type "${input.type}" needs a signed-in user; anonymous sessions cannot submit it`);
    }
    // Stored as JSON, exactly as Bull stores it: unset optional fields vanish instead of becoming
    // nulls in MongoDB, so a re-run from the record sends the same request as the first run.
    const payload = JSON.parse(JSON.stringify(await validatePayload(definition.payload, input.data))) as object;
    for (const { field, url } of definition.outboundUrls?.(payload) ?? []) this.checkOutboundUrl(field, url);
    const policy = await this.settings.policy(definition.queue);
    const options = resolveJobOptions(policy, onOurScale(input));
    return {
      definition,
      payload,
      options,
      policy,
      callback: this.callback(input),
      ...(input.requestId ? { requestId: input.requestId } : {}),
    };
  }

  private callback(input: SubmitJobInput): JobCallback | undefined {
    if (input.callbackUrl === undefined) {
      if (input.callbackEvents !== undefined || input.callbackSecret !== undefined) {
        throw validationFailed([{ field: 'callbackUrl', message: 'callbackUrl is required with callbackEvents or callbackSecret' }]);
      }
      return undefined;
    }
    this.checkOutboundUrl('callbackUrl', input.callbackUrl);
    const refusal = signingSecretRefusal('callbackSecret', input.callbackSecret, this.config.webhooks.signingSecret);
    if (refusal) throw validationFailed([{ field: 'callbackSecret', message: refusal }]);
    return {
      url: input.callbackUrl,
      events: [...new Set(input.callbackEvents ?? DEFAULT_WEBHOOK_EVENTS)],
      ...(typeof input.callbackSecret === 'string' ? { secret: input.callbackSecret } : {}),
    };
  }

  private checkOutboundUrl(field: string, url: string): void {
    const verdict = checkOutboundUrl(url, this.config.outbound);
    if (!verdict.allowed) {
      throw new ConveyorError(ErrorCode.TargetNotAllowed, `${field} ${verdict.reason}`, {
        fields: [{ field, message: `${field} ${verdict.reason}` }],
      });
    }
  }
}

/** The options with their priority on Conveyor's scale (PriorityOrder). */
function onOurScale(input: SubmitJobInput): JobOptionsInput | undefined {
  if (input.priorityOrder !== 'higher-first' || input.options?.priority === undefined) return input.options;
  return { ...input.options, priority: fromHigherFirst(input.options.priority) as JobOptionsInput['priority'] };
}

function clientTypes(registry: JobTypeRegistry): string {
  return registry
    .clientSubmittable()
    .map((d) => d.type)
    .join(', ');
}
