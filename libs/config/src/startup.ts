import type { INestApplicationContext } from '@nestjs/common';
import { ConfigError } from './app-config';

/**
 * The end of an app's `main()` promise chain: a configuration error prints its one line, anything
 * else its stack; either way the process exits 1.
 */
export function exitOnStartupFailure(app: string) {
  return (error: unknown): never => {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else {
      console.error(`${app} failed to start:`, error instanceof Error ? (error.stack ?? error.message) : error);
    }
    process.exit(1);
  };
}

/** app.init(), closing what was opened (connections, timers) if a startup check refuses. */
export async function initOrClose<T extends INestApplicationContext>(app: T): Promise<T> {
  try {
    return (await app.init()) as T;
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}
