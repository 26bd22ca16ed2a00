import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnStartupFailure, loadConfig } from '@conveyor/config';
import { jobCatalog } from '@conveyor/products';
import { createWorker, stopWorker } from '../../apps/worker/src/worker-app';
import { ProbeHandler, probeJob } from './probe.job';

/** The worker with the probe job type registered: what reliability tests run as a real process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createWorker({ config, registry: jobCatalog.with(probeJob), extraHandlers: [ProbeHandler] });
  const logger = new Logger('Worker');
  logger.log('Worker started');
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const outcome = await stopWorker(app, config.worker.shutdownGraceMs);
      process.exit(outcome === 'clean' ? 0 : 1);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(exitOnStartupFailure('Probe worker'));
