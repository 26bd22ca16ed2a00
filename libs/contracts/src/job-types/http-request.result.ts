import { ApiProperty } from '@nestjs/swagger';

/** What an `http.request` job returns once its call got the expected status (JobTypeDefinition.result). */
export class HttpRequestResult {
  @ApiProperty({ type: 'integer', example: 200, description: 'The status the target answered with' })
  statusCode!: number;

  @ApiProperty({ type: 'integer', description: 'ms from sending the request to the end of reading the response' })
  durationMs!: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'application/json',
    description: 'The response’s Content-Type; null when it sent none',
  })
  contentType!: string | null;

  /** Bytes of the response body that were read (reading stops at RESPONSE_READ_LIMIT_BYTES). */
  @ApiProperty({ type: 'integer', description: 'Bytes of the response body that were read (reading stops past 1 MiB)' })
  responseBytes!: number;

  /** The first RESPONSE_EXCERPT_BYTES of the body, decoded as UTF-8. */
  @ApiProperty({ description: 'The first 2048 bytes of the body, decoded as UTF-8' })
  responseExcerpt!: string;

  @ApiProperty({ description: 'Whether the body was longer than the excerpt' })
  truncated!: boolean;
}
