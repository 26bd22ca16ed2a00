import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { nestLogLevels } from '@conveyor/config';
import { Logger as JsonLogger } from 'nestjs-pino';
import { QueueConsumers } from './consumers/queue-consumers.service';
import { WorkerHeartbeatService } from './observability/worker-heartbeat.service';
import { WorkerModule, WorkerModuleOptions } from './worker.module';

/** Starts a worker: a Nest application context (no HTTP server) whose consumers start at bootstrap. */
export async function createWorker(options: WorkerModuleOptions): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(options), {
    logger: nestLogLevels(options.config.logLevel),
    bufferLogs: true,
  });
  // JSON lines through pino from here on (logs made while the context was built included).
  app.useLogger(app.get(JsonLogger));
  // createApplicationContext has run the init hooks already (a startup refusal, such as another
  // deployment's database, rejects it and the process exits); this call is a no-op kept for clarity.
  await app.init();
  // Only a worker that booted shows as live (a failed boot, e.g. a metrics port in use, never does).
  app.get(WorkerHeartbeatService).start();
  return app;
}

/**
 * Graceful stop: take no new jobs, let active ones finish within the grace period, then close.
 * Past the deadline the process exits anyway; Bull's stalled check hands its unfinished jobs to
 * another worker (nothing is lost, at-least-once).
 */
export async function stopWorker(app: INestApplicationContext, graceMs: number): Promise<'clean' | 'deadline'> {
  const logger = new Logger('Shutdown');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), graceMs);
  });
  const drained = (async () => {
    await app.get(QueueConsumers).stopTaking();
    await app.close();
    return 'clean' as const;
  })();
  const outcome = await Promise.race([drained, deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline') logger.warn(`Grace period of ${graceMs} ms ended with jobs still active; exiting anyway`);
  return outcome;
}
