import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnStartupFailure, loadConfig } from '@conveyor/config';
import { createApiApp } from './api-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.api.port, config.api.host);
  new Logger('API').log(`Listening on http://${config.api.host}:${config.api.port} (docs at /docs)`);
}

main().catch(exitOnStartupFailure('API'));
