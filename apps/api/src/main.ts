import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { AppConfig, exitOnStartupFailure, loadConfig } from '@conveyor/config';
import { checkProductSettings } from '@conveyor/products';
import { createApiApp } from './api-app';
import { JobEventStreamService } from './jobs/events/job-event-stream.service';
import { ApiLifecycle } from './lifecycle/api-lifecycle';

async function main(): Promise<void> {
  const config = loadConfig();
  checkProductSettings(config);
  const app = await createApiApp(config);
  await app.listen(config.api.port, config.api.host);
  stopOnSignals(app, config);
  new Logger('API').log(`Listening on http://${config.api.host}:${config.api.port} (docs at /docs)`);
}

/**
 * SIGTERM or SIGINT: drain (see ApiLifecycle), then close the app and exit 0. Later signals are
 * ignored: an impatient supervisor repeating itself must not cut the drain short.
 */
function stopOnSignals(app: INestApplication, config: AppConfig): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    new Logger('API').log(`${signal} received`);
    const streams = app.get(JobEventStreamService);
    void app
      .get(ApiLifecycle)
      .drain({ delayMs: config.api.shutdownDelayMs, graceMs: config.api.shutdownGraceMs, endStreams: () => streams.endAll() })
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          new Logger('API').error(`Shutdown failed: ${error instanceof Error ? error.stack : String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(exitOnStartupFailure('API'));
