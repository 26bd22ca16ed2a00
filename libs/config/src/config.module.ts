import { Global, Logger, Module } from '@nestjs/common';
import { DataCipher, DataFingerprint } from '@conveyor/contracts';
import { AppConfig, loadConfig } from './app-config';

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Provides the validated {@link AppConfig}, and the {@link DataCipher} and {@link DataFingerprint} its keys make. Apps load the
 * config once in `main.ts` (so a bad value stops the process before Nest starts) and hand it in;
 * tests pass their own.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig = loadConfig()) {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DataCipher, useFactory: () => dataCipherOf(config) },
        { provide: DataFingerprint, useValue: new DataFingerprint(config.encryption.keys) },
      ],
      exports: [APP_CONFIG, DataCipher, DataFingerprint],
    };
  }
}

/** Without keys (refused in production by loadConfig) the data stays readable, and the log says so once. */
function dataCipherOf(config: AppConfig): DataCipher {
  if (config.encryption.keys.length === 0) {
    new Logger('DataAtRest').warn(
      'DATA_ENCRYPTION_KEYS is not set: job payloads, results and callback secrets are stored in plaintext (allowed outside production only)',
    );
  }
  return new DataCipher(config.encryption.keys);
}
