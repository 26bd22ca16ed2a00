import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateBy, ValidationOptions, isObject } from 'class-validator';
import { defineJobType } from '../job-type-definition';
import { QueueName } from '../queue-name';
import { JobType } from './job-type';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const MAX_HEADERS = 50;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** Hop-by-hop and framing headers the worker sets itself. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer']);

function IsHeaderMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (value: unknown) =>
          isObject(value) &&
          !Array.isArray(value) &&
          Object.keys(value).length <= MAX_HEADERS &&
          Object.entries(value).every(
            ([name, v]) =>
              HEADER_NAME.test(name) &&
              !RESERVED_HEADERS.has(name.toLowerCase()) &&
              typeof v === 'string' &&
              v.length <= 8192 &&
              !/[\r\n\0]/.test(v),
          ),
        defaultMessage: () =>
          `headers must be an object of at most ${MAX_HEADERS} string values with valid names, excluding ${[...RESERVED_HEADERS].join(', ')}`,
      },
    },
    options,
  );
}

function IsStringOrJson(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isStringOrJson',
      validator: {
        validate: (value: unknown) => typeof value === 'string' || (typeof value === 'object' && value !== null),
        defaultMessage: () => 'body must be a string, or a JSON object or array (sent as application/json)',
      },
    },
    options,
  );
}

/** Payload of `http.request`: call this URL reliably (like Cloud Tasks' HTTP targets). */
export class HttpRequestPayload {
  @ApiProperty({ example: 'https://example.com/hooks/rebuild', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiProperty({ enum: HTTP_METHODS, example: 'POST' })
  @IsIn(HTTP_METHODS)
  method!: HttpMethod;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { authorization: 'Bearer …' } })
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'object' }, { type: 'array' }],
    description: 'Objects and arrays are sent as JSON',
  })
  @IsOptional()
  @IsStringOrJson()
  body?: string | object;

  @ApiPropertyOptional({ minimum: 100, maximum: 599, description: 'The status that counts as success; default any 2xx' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(599)
  expectStatus?: number;
}

export interface HttpRequestResult {
  statusCode: number;
  durationMs: number;
  contentType: string | null;
  /** Bytes of the response body that were read (reading stops at RESPONSE_READ_LIMIT_BYTES). */
  responseBytes: number;
  /** The first RESPONSE_EXCERPT_BYTES of the body, decoded as UTF-8. */
  responseExcerpt: string;
  truncated: boolean;
}

export const RESPONSE_EXCERPT_BYTES = 2048;
export const RESPONSE_READ_LIMIT_BYTES = 1024 * 1024;

export enum HttpRequestStep {
  CheckTarget = 'check-target',
  SendRequest = 'send-request',
  ReadResponse = 'read-response',
}

export const httpRequestJob = defineJobType<HttpRequestPayload>({
  type: JobType.HttpRequest,
  queue: QueueName.Http,
  description: 'Call an HTTP(S) URL; retried with backoff on network errors and unexpected statuses.',
  payload: HttpRequestPayload,
  // An anonymous caller must not be able to make the service call arbitrary URLs.
  anonymousSessions: false,
  steps: [
    { name: HttpRequestStep.CheckTarget, weight: 5 },
    { name: HttpRequestStep.SendRequest, weight: 80 },
    { name: HttpRequestStep.ReadResponse, weight: 15 },
  ],
  outboundUrls: (payload) => [{ field: 'data.url', url: payload.url }],
});
