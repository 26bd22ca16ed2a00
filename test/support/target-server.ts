import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Responder = (req: IncomingMessage, res: ServerResponse, hit: Hit, hitsOnPath: number) => void;

/** A loopback HTTP server that http.request jobs call; it records every hit. */
export class TargetServer {
  readonly hits: Hit[] = [];
  private responder: Responder = (_req, res) => res.end('ok');

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<TargetServer> {
    const server: http.Server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const hit: Hit = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() };
        target.hits.push(hit);
        target.responder(req, res, hit, target.hits.filter((h) => h.path === hit.path).length);
      });
    });
    const target = new TargetServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  respond(responder: Responder): void {
    this.responder = responder;
  }

  hitsOn(path: string): Hit[] {
    return this.hits.filter((h) => h.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
