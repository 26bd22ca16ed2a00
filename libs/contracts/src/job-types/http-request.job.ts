import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateBy, ValidationOptions, isObject } from 'class-validator';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { defineJobType } from '../job-type-definition';
import { QueueName } from '../queue-name';
import { HttpRequestResult } from './http-request.result';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const MAX_HEADERS = 50;
const MAX_HEADER_NAME_LENGTH = 128;
const MAX_HEADER_VALUE_LENGTH = 8192;
/** Hop-by-hop and framing headers the worker sets itself. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer']);

/**
 * Why a header map cannot be sent, naming the header at fault, or undefined when it can. Names
 * and values are judged by node:http itself, the client the worker sends with: a value it would
 * refuse (control characters, characters outside Latin-1) would fail every attempt.
 */
export function headerMapProblem(value: unknown): string | undefined {
  if (!isObject(value) || Array.isArray(value)) return 'headers must be an object of header names to string values';
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) return `headers may hold at most ${MAX_HEADERS} headers`;
  for (const [name, headerValue] of entries) {
    const header = `headers[${JSON.stringify(name)}]`;
    if (name.length > MAX_HEADER_NAME_LENGTH || !acceptedByNode(() => validateHeaderName(name))) {
      return `${header}: the name must be an HTTP token of at most ${MAX_HEADER_NAME_LENGTH} characters`;
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      return `${header} is set by the worker itself, as are ${[...RESERVED_HEADERS].join(', ')}`;
    }
    if (typeof headerValue !== 'string' || headerValue.length > MAX_HEADER_VALUE_LENGTH) {
      return `${header} must be a string of at most ${MAX_HEADER_VALUE_LENGTH} characters`;
    }
    if (!acceptedByNode(() => validateHeaderValue(name, headerValue))) {
      return `${header} has characters an HTTP header cannot carry (control characters, or characters outside Latin-1)`;
    }
  }
  return undefined;
}

function acceptedByNode(validate: () => void): boolean {
  try {
    validate();
    return true;
  } catch {
    return false;
  }
}

function IsHeaderMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (value: unknown) => headerMapProblem(value) === undefined,
        defaultMessage: (args) => headerMapProblem(args?.value) ?? 'headers are not valid',
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
    oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }, { type: 'array', items: {} }],
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

export const RESPONSE_EXCERPT_BYTES = 2048;
export const RESPONSE_READ_LIMIT_BYTES = 1024 * 1024;

export enum HttpRequestStep {
  CheckTarget = 'check-target',
  SendRequest = 'send-request',
  ReadResponse = 'read-response',
}

export const httpRequestJob = defineJobType({
  type: 'http.request',
  queue: QueueName.Http,
  description: 'Call an HTTP(S) URL; retried with backoff on network errors and unexpected statuses.',
  payload: HttpRequestPayload,
  result: HttpRequestResult,
  // An anonymous caller must not be able to make the service call arbitrary URLs.
  anonymousSessions: false,
  steps: [
    { name: HttpRequestStep.CheckTarget, weight: 5 },
    { name: HttpRequestStep.SendRequest, weight: 80 },
    { name: HttpRequestStep.ReadResponse, weight: 15 },
  ],
  outboundUrls: (payload) => [{ field: 'data.url', url: payload.url }],
});
