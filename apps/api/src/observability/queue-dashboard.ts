import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { SERVICE_QUEUES } from '@conveyor/contracts';
import { QueueRegistry } from '@conveyor/queueing';
import type { Express } from 'express';
import { Queue } from 'bull';
import { IdentityResolver } from '@conveyor/http';
import { ConveyorThrottlerGuard } from '@conveyor/http';
import { dashboardGate, hasAdminCredentials } from './dashboard-gate';
import { dashboardThrottle } from './dashboard-throttle';
import { DASHBOARD_PATH } from './http-route';

const REDACTED = '[redacted]';

/**
 * The queue dashboard (Bull Board) at /admin/queues: every Bull queue this API registers, job-type
 * queues and service queues. Mounted on Express directly, behind dashboardThrottle (the `admin`
 * rate-limit class) and dashboardGate (admins only), once Nest's routes exist and before its
 * not-found handler.
 *
 * Dashboard actions act on Bull alone, not on job records: on a job-type queue a clean, delete,
 * retry, promote or data edit there would leave the records saying otherwise. Those queues are
 * read-only here; their operations are Conveyor's own (`/api/v1/queues/:name/…`,
 * `/api/v1/jobs/:jobId/…`), which keep the records in step. Service queues (webhook deliveries,
 * notifications, system tasks) have no records and keep the dashboard's actions.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly queues: QueueRegistry,
    private readonly identity: IdentityResolver,
    private readonly throttler: ConveyorThrottlerGuard,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const board = new ExpressAdapter();
    board.setBasePath(DASHBOARD_PATH);
    createBullBoard({
      queues: this.queues.all().map((queue) => this.adapterFor(queue)),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'Conveyor' } },
    });
    this.host.httpAdapter.getInstance<Express>().use(
      DASHBOARD_PATH,
      // Throttled first, like the API's guards: floods of bad credentials are limited per IP too.
      dashboardThrottle(this.throttler, (req) => hasAdminCredentials(req, this.identity, this.config.identity.adminToken)),
      dashboardGate(this.identity, this.config.identity.adminToken),
      board.getRouter(),
    );
  }

  private adapterFor(queue: Queue): BullAdapter {
    return dashboardAdapter(
      queue,
      SERVICE_QUEUES.some((name) => name === queue.name),
    );
  }
}

/** One queue on the dashboard: read-only unless it is a service queue (see QueueDashboard); secrets hidden. */
export function dashboardAdapter(queue: Queue, serviceQueue: boolean): BullAdapter {
  const adapter = new BullAdapter(queue, { readOnlyMode: !serviceQueue, allowRetries: serviceQueue });
  // Callback and delivery secrets, and http.request's headers, travel in Bull's job data.
  adapter.setFormatter('data', (data: unknown) => withoutSecrets(data));
  adapter.setFormatter('returnValue', (value: unknown) => withoutSecrets(value));
  return adapter;
}

/** Keys whose values are credentials: secrets, tokens, passwords, API keys, authorization and cookie headers. */
const SENSITIVE_KEY = /secret|token|password|passwd|api[-_]?key|auth|bearer|cookie|credential/i;

/** A copy of job data with every sensitive value replaced (by key, at any depth). */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, SENSITIVE_KEY.test(key) ? REDACTED : withoutSecrets(child)]));
}
