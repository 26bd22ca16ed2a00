import net from 'node:net';
import { freePort } from './ports';

/** What the proxy loses of the first request carrying the marker. */
export type Loss = 'reply' | 'request';

/**
 * A loopback TCP proxy in front of a server that can lose one exchange: once armed with a marker,
 * the first request carrying it is either forwarded and run by the server with its reply
 * swallowed ('reply'), or dropped before the server sees it ('request'); then every connection is
 * cut and new connections are refused for `downMs`. To a client, both are the server dying with
 * the command in flight; only the server knows whether it ran.
 */
export class ReplyLosingProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private marker?: Buffer;
  private loss: Loss = 'reply';
  private lost?: () => void;

  private constructor(
    private readonly targetPort: number,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<ReplyLosingProxy> {
    const proxy = new ReplyLosingProxy(targetPort, await freePort());
    await proxy.open();
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Resolves once the request with `marker` (or its reply) has been lost and connections are taken again. */
  lose(loss: Loss, marker: string, downMs: number): Promise<void> {
    this.loss = loss;
    this.marker = Buffer.from(marker);
    return new Promise((resolve, reject) => {
      this.lost = () => {
        this.lost = undefined;
        this.marker = undefined;
        this.cutAll();
        setTimeout(() => this.open().then(resolve, reject), downMs);
      };
    });
  }

  async close(): Promise<void> {
    this.cutAll();
  }

  private cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    server?.close();
  }

  private async open(): Promise<void> {
    const server = net.createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let swallowing = false;
    client.on('data', (chunk: Buffer) => {
      if (this.marker && !swallowing && chunk.includes(this.marker)) {
        if (this.loss === 'request') return this.lost?.();
        swallowing = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      // The marked request's reply (and anything after it on this connection) never arrives.
      if (swallowing) this.lost?.();
      else client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}
