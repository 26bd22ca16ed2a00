import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { NotificationEvent } from '@conveyor/contracts';
import { SchemaTypes } from 'mongoose';

/**
 * Where one owner's notifications go (PUT /api/v1/notifications/settings): one document per owner,
 * read by `_id` alone, the lookup FerretDB indexes (DESIGN §2), so it needs no other index.
 */
@Schema({ collection: 'notification_settings', versionKey: false, strict: 'throw' })
export class NotificationSettings {
  /** The owner's key (`user:<id>`, `session:<id>`, `service:<id>`). */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  url!: string;

  /** The owner's own signing secret, sealed (notificationSecretSealId); null → WEBHOOK_SIGNING_SECRET. Never shown. */
  @Prop({ type: SchemaTypes.Mixed, default: null })
  secret!: unknown;

  @Prop({ type: [String], required: true, enum: Object.values(NotificationEvent) })
  events!: NotificationEvent[];

  @Prop({ required: true })
  updatedAt!: Date;
}

export const NotificationSettingsSchema = SchemaFactory.createForClass(NotificationSettings);

/** What an owner's secret is sealed for (DataCipher's authenticated id): moved to another owner, it does not open. */
export function notificationSecretSealId(ownerKey: string): string {
  return `notification-settings:${ownerKey}`;
}
