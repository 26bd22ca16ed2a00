import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ConveyorError, ErrorCode, FieldError, errorField } from '@conveyor/contracts';
import { isDatabaseUnavailable } from '@conveyor/database';
import type { Response } from 'express';
import { ERROR_STATUS, errorCodeForStatus } from './error-status';

/** The error body everywhere (DESIGN §4). */
export interface ErrorEnvelope {
  success: false;
  detail: string;
  /** A platform ErrorCode, or a product's own code on its routes. */
  error_code: ErrorCode | string;
  timestamp: string;
  troubleshooting?: string;
  errors?: FieldError[];
  details?: unknown;
}

/**
 * Turns every error into the envelope with the right status. Client mistakes get their own code
 * and a precise detail; anything unexpected is logged with its stack and answered with a bare 500.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, retryAfterSeconds } = this.describe(exception);
    if (response.headersSent) {
      // A stream already started (e.g. SSE); all we can do is end it.
      response.end();
      return;
    }
    if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(retryAfterSeconds));
    // The request's log line (pino-http) then names the real error, not "failed with status code 500".
    if (status === HttpStatus.INTERNAL_SERVER_ERROR && exception instanceof Error) (response as Response & { err?: Error }).err = exception;
    response.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; body: ErrorEnvelope; retryAfterSeconds?: number } {
    const timestamp = new Date().toISOString();
    if (exception instanceof ConveyorError) {
      const { fields, troubleshooting, details, retryAfterSeconds, topLevel } = exception.extras;
      return {
        status: exception.status ?? ERROR_STATUS[exception.code as ErrorCode] ?? HttpStatus.INTERNAL_SERVER_ERROR,
        retryAfterSeconds,
        body: {
          ...topLevel,
          success: false,
          detail: exception.message,
          error_code: exception.code,
          timestamp,
          troubleshooting,
          errors: fields,
          details,
        },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = errorCodeForStatus(status);
      return { status, body: { success: false, detail: httpExceptionDetail(exception), error_code: code, timestamp } };
    }
    if (isDatabaseUnavailable(exception)) {
      // Not the client's mistake and not a bug: the caller should come back in a moment.
      this.logger.warn(errorField(exception), 'Database unavailable');
      return this.describe(
        new ConveyorError(ErrorCode.ServiceUnavailable, 'The database is unavailable right now; retry later.', {
          retryAfterSeconds: 5,
        }),
      );
    }
    this.logger.error(errorField(exception), 'Unhandled error');
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: {
        success: false,
        detail: 'Internal server error',
        error_code: ErrorCode.InternalError,
        timestamp,
        troubleshooting: 'Please retry the request. If the problem persists, contact the system administrator',
      },
    };
  }
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
