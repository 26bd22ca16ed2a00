import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { GATEWAY_SECRET_HEADER, SECURITY, SESSION_ID_HEADER, USER_ID_HEADER } from '@conveyor/http';

/** Routes anyone may call (probes and scrapes): documented with no security requirement. */
const PUBLIC_PATHS = [/^\/health(\/ready)?$/];
/** Open unless METRICS_TOKEN is set, then that token as a bearer token. */
const METRICS_PATH = '/metrics';

/** The job and queue verbs a client uses most, named as a client reads them. */
const NAMED_OPERATIONS: Readonly<Record<string, string>> = {
  'JobsController.submit': 'submitJob',
  'JobsController.submitBulk': 'submitJobs',
  'JobsController.list': 'listJobs',
  'JobsController.listForUser': 'listUserJobs',
  'JobsController.get': 'getJob',
  'JobsController.status': 'getJobStatus',
  'JobsController.cancel': 'cancelJob',
  'JobsController.remove': 'deleteJob',
  'JobsController.retry': 'retryJob',
  'JobsController.changePriority': 'changeJobPriority',
  'JobEventsController.events': 'watchJob',
  'JobFlowController.tree': 'getJobFlow',
  'JobWebhooksController.list': 'listJobWebhooks',
  'DeadLettersController.list': 'listDeadLetters',
  'DeadLettersController.get': 'getDeadLetter',
  'DeadLettersController.requeue': 'requeueDeadLetter',
  'DeadLettersController.dismiss': 'dismissDeadLetter',
  'QueuesController.list': 'listQueues',
  'QueuesController.get': 'getQueue',
};

/**
 * The operationIds a generated client reads: the common verbs by name (`submitJob`, `getJob`,
 * `cancelJob`…), the rest as the controller's subject and the method (`QueuesController.pause` →
 * `queuesPause`).
 */
export function operationId(controllerKey: string, methodKey: string): string {
  const named = NAMED_OPERATIONS[`${controllerKey}.${methodKey}`];
  if (named) return named;
  const subject = controllerKey.replace(/Controller$/, '');
  return `${subject.charAt(0).toLowerCase()}${subject.slice(1)}${methodKey.charAt(0).toUpperCase()}${methodKey.slice(1)}`;
}

/**
 * The OpenAPI document of the API: its security schemes (the gateway's `x-user-id`, an anonymous
 * `x-session-id`, ADMIN_API_TOKEN, or a JWT with IDENTITY_MODE=jwt) required by default, so every
 * operation states how it is called; admin routes take a token only; probes need nothing, and the
 * metrics scrape METRICS_TOKEN when one is set.
 */
export function openApiDocument(app: INestApplication, serverUrl = '/'): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Conveyor')
    .setDescription(
      'Background jobs over HTTP: submit, watch, and manage long multi-step jobs. Every success is ' +
        '`{ success: true, data }`; every error is `{ success: false, detail, error_code, timestamp }`.',
    )
    .setVersion('0.1.0')
    .setLicense('Proprietary', 'https://example.com/conveyor/license')
    .addServer(serverUrl, 'This API')
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: USER_ID_HEADER,
        description: 'The signed-in user, set by the trusted gateway (IDENTITY_MODE=gateway)',
      },
      SECURITY.userId,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: SESSION_ID_HEADER,
        description: 'An anonymous session (16–128 URL-safe characters), where a route allows it',
      },
      SECURITY.sessionId,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: GATEWAY_SECRET_HEADER,
        description: 'GATEWAY_SECRET, from the trusted gateway: with x-user-id and `x-user-role: admin`, an administrator',
      },
      SECURITY.gatewaySecret,
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_API_TOKEN: an administrator' }, SECURITY.adminToken)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'A JWT with IDENTITY_MODE=jwt (HS256 with JWT_SECRET; `role: "admin"` for an administrator)',
      },
      SECURITY.jwt,
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when set: only for GET /metrics' }, SECURITY.metricsToken)
    .addSecurityRequirements(SECURITY.userId)
    .addSecurityRequirements(SECURITY.sessionId)
    .addSecurityRequirements(SECURITY.adminToken)
    .addSecurityRequirements(SECURITY.jwt)
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: operationId });
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      if (PUBLIC_PATHS.some((p) => p.test(path))) operation.security = [];
      if (path === METRICS_PATH) operation.security = [{}, { [SECURITY.metricsToken]: [] }];
      for (const [status, response] of Object.entries(operation.responses as Record<string, { headers?: Record<string, unknown> }>))
        response.headers = { ...response.headers, ...responseHeaders(status, operation.operationId) };
    }
  }
  return document;
}

const HEADER = (description: string, schema: object = { type: 'string' }) => ({ description, schema });

/** The headers an answer carries: the request id always; Retry-After where a client should wait; Location and the replay flag on a submission. */
function responseHeaders(status: string, operationId?: string): Record<string, unknown> {
  const submit = operationId === 'submitJob';
  return {
    'X-Request-Id': HEADER('The request’s id: the caller’s well-formed X-Request-Id, else a new UUID; the logs carry it'),
    ...(['202', '429', '503'].includes(status)
      ? { 'Retry-After': HEADER('Seconds to wait before asking again', { type: 'integer' }) }
      : {}),
    ...(submit && ['200', '201', '202'].includes(status) ? { Location: HEADER('The job: /api/v1/jobs/{jobId}') } : {}),
    ...(submit
      ? { 'Idempotent-Replayed': HEADER('`true` when this is the stored answer to an earlier request with the same Idempotency-Key') }
      : {}),
  };
}
