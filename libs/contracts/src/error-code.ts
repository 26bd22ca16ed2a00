/** Every platform `error_code` a client can see, in one place (DESIGN §4); products add theirs (ProductErrorCode). */
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
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyKeyInProgress = 'IDEMPOTENCY_KEY_IN_PROGRESS',
  RateLimited = 'RATE_LIMITED',
  QueueFull = 'QUEUE_FULL',
  QueueDraining = 'QUEUE_DRAINING',
  QueueNotFound = 'QUEUE_NOT_FOUND',
  QueueUnavailable = 'QUEUE_UNAVAILABLE',
  ScheduleNotFound = 'SCHEDULE_NOT_FOUND',
  ScheduleExists = 'SCHEDULE_EXISTS',
  /** A system schedule cannot be deleted (it would be seeded again at the next worker start). */
  ScheduleIsSystem = 'SCHEDULE_IS_SYSTEM',
  NotificationSettingsNotFound = 'NOTIFICATION_SETTINGS_NOT_FOUND',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  InternalError = 'INTERNAL_ERROR',
}

/**
 * An error code a product defines for its own routes (its seed's words), with the HTTP status it
 * answers with. Declared in the product's folder; the platform's filter and Swagger read both.
 */
export interface ProductErrorCode {
  readonly code: string;
  readonly status: number;
}

export function productErrorCode(code: string, status: number): ProductErrorCode {
  return { code, status };
}
