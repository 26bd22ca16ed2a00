import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnStartupFailure, loadConfig } from '@conveyor/config';
import { checkProductSettings } from '@conveyor/products';
import { createWorker, stopWorker } from './worker-app';

async function main(): Promise<void> {
  const config = loadConfig();
  checkProductSettings(config);
  const app = await createWorker({ config });
  const logger = new Logger('Worker');
  logger.log('Worker started');

  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals) => {
    // Repeated signals (an impatient supervisor) do not restart or shorten the shutdown.
    stopping ??= (async () => {
      logger.log(`${signal} received: finishing active jobs (grace ${config.worker.shutdownGraceMs} ms)`);
      const outcome = await stopWorker(app, config.worker.shutdownGraceMs);
      process.exit(outcome === 'clean' ? 0 : 1);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(exitOnStartupFailure('Worker'));
