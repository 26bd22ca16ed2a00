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
