import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsIn, IsISO8601, IsInt, IsObject, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { FlowStatus } from '../flows/flow-status';
import { defineJobType } from '../job-type-definition';
import { TERMINAL_STATUSES } from '../job-status';
import { NotificationEvent } from '../notifications/notification-event';
import { QueueName } from '../queue-name';
import { SendNotificationJobResult } from './send-notification.result';

export enum SendNotificationStep {
  ResolveTarget = 'resolve-target',
  EnqueueDelivery = 'enqueue-delivery',
}

const ENDED_FLOW_STATUSES: readonly FlowStatus[] = ['completed', 'failed', 'cancelled'];

/** How a flow ended, as its notification tells it. */
export class NotificationFlowSummary {
  @ApiProperty({ enum: ENDED_FLOW_STATUSES })
  @IsIn(ENDED_FLOW_STATUSES)
  status!: Exclude<FlowStatus, 'running'>;

  @ApiProperty({ description: 'Jobs of the flow per status', type: 'object', additionalProperties: { type: 'integer' } })
  @IsObject()
  counts!: Record<string, number>;

  @ApiProperty({ type: 'integer' })
  @IsInt()
  @Min(1)
  total!: number;
}

/** One end to tell its owner about: made by the platform when a flow or a long job ends, never by a client. */
export class SendNotificationPayload {
  @ApiProperty({ enum: NotificationEvent })
  @IsEnum(NotificationEvent)
  event!: NotificationEvent;

  @ApiProperty({ description: 'Owner key of the job that ended: whose notification settings apply' })
  @IsString()
  @MaxLength(200)
  ownerKey!: string;

  @ApiProperty({ description: 'The job that ended (a flow: its root)' })
  @IsString()
  @MaxLength(200)
  jobId!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  type!: string;

  @ApiProperty({ enum: TERMINAL_STATUSES, description: 'The job’s status in Conveyor’s words (a flow: its root’s)' })
  @IsIn(TERMINAL_STATUSES)
  status!: string;

  @ApiPropertyOptional({ type: NotificationFlowSummary })
  @IsOptional()
  @ValidateNested()
  @Type(() => NotificationFlowSummary)
  flow?: NotificationFlowSummary;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  finishedAt!: string;
}

/** What a send-notification job did: handed its delivery to the webhooks queue, or skipped it and why. */
export type SendNotificationResult =
  { outcome: 'queued'; deliveryId: string; target: 'owner' | 'service' } | { outcome: 'skipped'; reason: string };

/**
 * `send-notification` (seed 004's system job): tells a job's owner that a flow or a long job ended,
 * with a signed POST through the webhook deliveries. Enqueued by the platform with an id derived
 * from the end (end-notification.ts); an administrator may run a failed one again.
 */
export const sendNotificationJob = defineJobType({
  type: 'send-notification',
  queue: QueueName.Notifications,
  description: 'Send a signed notification of a flow’s or a long job’s end to its owner’s URL (else NOTIFICATION_WEBHOOK_URL)',
  payload: SendNotificationPayload,
  result: SendNotificationJobResult,
  startedBy: 'the end of a flow or of a long job (PUT /api/v1/notifications/settings sets where it goes)',
  retriedThroughJobsApi: true,
  steps: [
    { name: SendNotificationStep.ResolveTarget, weight: 1 },
    { name: SendNotificationStep.EnqueueDelivery, weight: 1 },
  ],
});
