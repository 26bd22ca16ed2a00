import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@conveyor/contracts';

/** The HTTP status of every error code (DESIGN §4). */
export const ERROR_STATUS: Readonly<Record<ErrorCode, HttpStatus>> = {
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UnknownJobType]: HttpStatus.BAD_REQUEST,
  [ErrorCode.TargetNotAllowed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MalformedJson]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.JobNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.RouteNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.InvalidJobState]: HttpStatus.CONFLICT,
  [ErrorCode.IdempotencyKeyReused]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.IdempotencyKeyInProgress]: HttpStatus.CONFLICT,
  [ErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.QueueFull]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.QueueDraining]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.QueueNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.QueueUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.ScheduleNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.ScheduleExists]: HttpStatus.CONFLICT,
  [ErrorCode.ScheduleIsSystem]: HttpStatus.CONFLICT,
  [ErrorCode.NotificationSettingsNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.InternalError]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** Error codes for Nest's own HttpExceptions (unknown routes, throttling, …), by status. */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case HttpStatus.BAD_REQUEST:
      return ErrorCode.ValidationFailed;
    case HttpStatus.UNAUTHORIZED:
      return ErrorCode.Unauthenticated;
    case HttpStatus.FORBIDDEN:
      return ErrorCode.Forbidden;
    case HttpStatus.NOT_FOUND:
      return ErrorCode.RouteNotFound;
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return ErrorCode.PayloadTooLarge;
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return ErrorCode.UnsupportedMediaType;
    case HttpStatus.TOO_MANY_REQUESTS:
      return ErrorCode.RateLimited;
    case HttpStatus.SERVICE_UNAVAILABLE:
      return ErrorCode.ServiceUnavailable;
    default:
      return ErrorCode.InternalError;
  }
}
