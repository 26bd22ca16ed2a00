import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  ALL_NOTIFICATION_EVENTS,
  ConveyorError,
  DataCipher,
  ErrorCode,
  checkOutboundUrl,
  ownerKey,
  validationFailed,
  signingSecretRefusal,
} from '@conveyor/contracts';
import { NotificationSettings, NotificationSettingsRepository, notificationSecretSealId } from '@conveyor/database';
import { Caller } from '@conveyor/http';
import { PutNotificationSettingsRequest } from './dto/notification-settings.request';
import { DeletedNotificationSettingsResponse, NotificationSettingsResponse } from './dto/notification-settings.response';

/** A caller's own notification settings: each caller reads and writes only theirs (their owner key). */
@Injectable()
export class NotificationSettingsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: NotificationSettingsRepository,
    private readonly cipher: DataCipher,
  ) {}

  async get(caller: Caller): Promise<NotificationSettingsResponse> {
    const saved = await this.settings.find(ownerKey(caller.owner));
    if (!saved) throw notFound();
    return view(saved);
  }

  /** Checked as a job's callback is: the URL against the outbound policy, and something to sign with. */
  async put(caller: Caller, request: PutNotificationSettingsRequest): Promise<NotificationSettingsResponse> {
    const verdict = checkOutboundUrl(request.url, this.config.outbound);
    if (!verdict.allowed) {
      const message = `url ${verdict.reason}`;
      throw new ConveyorError(ErrorCode.TargetNotAllowed, message, { fields: [{ field: 'url', message }] });
    }
    // `null` (allowed by the DTO's IsOptional) means none, like a secret left out.
    const secret = request.secret ?? undefined;
    const refusal = signingSecretRefusal('secret', secret, this.config.webhooks.signingSecret);
    if (refusal) throw validationFailed([{ field: 'secret', message: refusal }]);
    const key = ownerKey(caller.owner);
    const saved: NotificationSettings = {
      _id: key,
      url: request.url,
      // Sealed at rest like a job's callbackSecret; the worker opens it to sign.
      secret: secret === undefined ? null : this.cipher.sealNew(secret, notificationSecretSealId(key)),
      events: [...new Set(request.events ?? ALL_NOTIFICATION_EVENTS)],
      updatedAt: new Date(),
    };
    await this.settings.save(saved);
    return view(saved);
  }

  async delete(caller: Caller): Promise<DeletedNotificationSettingsResponse> {
    if (!(await this.settings.delete(ownerKey(caller.owner)))) throw notFound();
    return { deleted: true };
  }
}

function view(saved: NotificationSettings): NotificationSettingsResponse {
  return { url: saved.url, events: saved.events, ownSecret: saved.secret !== null, updatedAt: saved.updatedAt.toISOString() };
}

function notFound(): ConveyorError {
  return new ConveyorError(ErrorCode.NotificationSettingsNotFound, 'You have no notification settings', {
    troubleshooting: 'PUT /api/v1/notifications/settings with { url } to be told when your flows and long jobs end',
  });
}
