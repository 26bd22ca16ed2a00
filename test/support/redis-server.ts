import Redis from 'ioredis';
import { freePort } from './ports';
import { ServerProcess } from './server-process';

/**
 * A private redis-server for one suite, on a spare loopback port: suites never touch the
 * machine's Redis on 6379, and fault tests can stop and restart theirs (RELIABILITY §1).
 */
export class RedisServer extends ServerProcess {
  private constructor(
    readonly port: number,
    appendOnly: boolean,
  ) {
    super('conveyor-redis-', (dir) => ({
      command: 'redis-server',
      args: [
        ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'noeviction', '--dir', dir],
        ...(appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ],
      answers: () => pong(`redis://127.0.0.1:${port}`),
      what: `redis-server on port ${port}`,
    }));
  }

  /**
   * `appendOnly`: every write fsynced to an append-only file in the server's own folder, so a
   * SIGKILLed server restarts with its data, as production Redis should (RELIABILITY F7).
   */
  static async start({ appendOnly = false }: { appendOnly?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), appendOnly);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** A fresh client for assertions; the caller quits it. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 1 });
  }
}

async function pong(url: string): Promise<boolean> {
  const probe = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } finally {
    probe.disconnect();
  }
}
