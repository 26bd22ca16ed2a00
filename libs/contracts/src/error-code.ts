/** Every `error_code` a client can see, in one place (DESIGN §4). */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  UnknownJobType = 'UNKNOWN_JOB_TYPE',
  TargetNotAllowed = 'TARGET_NOT_ALLOWED',
  MalformedJson = 'MALFORMED_JSON',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  JobNotFound = 'JOB_NOT_FOUND',
  RouteNotFound = 'ROUTE_NOT_FOUND',
  InvalidJobState = 'INVALID_JOB_STATE',
  RateLimited = 'RATE_LIMITED',
  QueueFull = 'QUEUE_FULL',
  QueueUnavailable = 'QUEUE_UNAVAILABLE',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  InternalError = 'INTERNAL_ERROR',
}
