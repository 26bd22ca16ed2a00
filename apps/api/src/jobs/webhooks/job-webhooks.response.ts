import { ApiProperty } from '@nestjs/swagger';
import { WebhookEvent } from '@conveyor/contracts';

/** One attempt at delivering one webhook. The receiver's response body is never kept. */
export class WebhookAttemptResponse {
  @ApiProperty({ format: 'uuid', description: 'The delivery’s Webhook-Id header; the same in every attempt of one delivery' })
  deliveryId!: string;

  @ApiProperty({ enum: WebhookEvent })
  event!: WebhookEvent;

  @ApiProperty({ minimum: 1, description: '1 for the first attempt of the delivery' })
  attempt!: number;

  @ApiProperty({ example: 'https://example.com/hooks/conveyor' })
  url!: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The receiver’s status; null when none came (refused, network error, timeout)',
  })
  statusCode!: number | null;

  @ApiProperty({ type: 'integer' })
  durationMs!: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'Receiver answered 302; redirects are not followed',
    description: 'null when delivered (2xx)',
  })
  error!: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the attempt started' })
  at!: string;
}

export class JobWebhooksResponse {
  @ApiProperty({ type: [WebhookAttemptResponse], description: 'Newest first' })
  items!: WebhookAttemptResponse[];

  @ApiProperty({ description: 'true when the job has more attempts than the list shows (at most 100)' })
  truncated!: boolean;
}
