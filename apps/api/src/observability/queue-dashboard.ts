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
 * Dashboard actions act on Bull alone, not on job records. Retrying a job-type job is therefore
 * left to `POST /api/v1/jobs/:jobId/retry` (a new run, recorded), and the dashboard hides its
 * retry buttons on those queues; a failed webhook delivery has no record and may be retried here.
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
    const adapter = new BullAdapter(queue, { allowRetries: SERVICE_QUEUES.some((name) => name === queue.name) });
    // Callback and delivery secrets travel in Bull's job data; the dashboard must not show them.
    adapter.setFormatter('data', (data: unknown) => withoutSecrets(data));
    return adapter;
  }
}

/** A copy of job data with every `secret` value replaced. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, key === 'secret' ? REDACTED : withoutSecrets(child)]));
}
