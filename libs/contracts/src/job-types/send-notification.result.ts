import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SendNotificationResult } from './send-notification.job';
import type { Fits } from '../type-fit';

const OUTCOMES = ['queued', 'skipped'] as const;
const TARGETS = ['owner', 'service'] as const;

/**
 * What a `send-notification` job returns, as Swagger documents it (JobTypeDefinition.result): one
 * class for both outcomes of SendNotificationResult, the fields of the other outcome absent.
 */
export class SendNotificationJobResult {
  @ApiProperty({ enum: OUTCOMES, description: 'queued: handed to the webhook deliveries; skipped: nowhere to send it' })
  outcome!: (typeof OUTCOMES)[number];

  @ApiPropertyOptional({ description: 'queued only: the webhook delivery that sends it (its `Webhook-Id`)' })
  deliveryId?: string;

  @ApiPropertyOptional({
    enum: TARGETS,
    description: 'queued only: owner: the URL the owner saved; service: NOTIFICATION_WEBHOOK_URL',
  })
  target?: (typeof TARGETS)[number];

  @ApiPropertyOptional({ description: 'skipped only: why it was not sent' })
  reason?: string;
}

type KeysOfEach<T> = T extends unknown ? keyof T : never;

/** Every outcome the handler returns fits the class, and names no field the class leaves out. */
export type SendNotificationResultDocumented = [
  Fits<SendNotificationResult, SendNotificationJobResult>,
  Fits<KeysOfEach<SendNotificationResult>, keyof SendNotificationJobResult>,
];
