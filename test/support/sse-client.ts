import http, { IncomingHttpHeaders } from 'node:http';
import { waitFor } from './wait-for';

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

/**
 * A Server-Sent Events reader over node:http (supertest buffers whole responses, so it cannot
 * watch a stream). Non-200 answers are read whole into `body`.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  body?: any;
  private ended = false;
  private buffer = '';

  private constructor(
    private readonly request: http.ClientRequest,
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
  ) {}

  /** Opens `baseUrl + path`; resolves once the headers arrived (and, for an error, its body). */
  static open(baseUrl: string, path: string, headers: Record<string, string>): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const request = http.get(new URL(path, baseUrl), { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
        const client = new SseClient(request, res.statusCode ?? 0, res.headers);
        res.setEncoding('utf8');
        res.on('close', () => (client.ended = true));
        if (client.status !== 200) {
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            client.body = text ? JSON.parse(text) : undefined;
            resolve(client);
          });
          return;
        }
        res.on('data', (chunk: string) => client.parse(chunk));
        resolve(client);
      });
      request.on('error', reject);
    });
  }

  /** Whether the server ended the stream (or the client closed it). */
  get closed(): boolean {
    return this.ended;
  }

  names(): string[] {
    return this.events.map((e) => e.event);
  }

  last(): SseEvent | undefined {
    return this.events[this.events.length - 1];
  }

  async next(accept: (event: SseEvent) => boolean, what: string, timeoutMs = 15_000): Promise<SseEvent> {
    return waitFor(() => this.events.find(accept), { what: `${what}; events so far: ${this.describe()}`, timeoutMs });
  }

  /** Waits until the server has closed the stream. */
  async end(timeoutMs = 15_000): Promise<void> {
    await waitFor(() => this.ended, { what: `the server to close the stream; events so far: ${this.describe()}`, timeoutMs });
  }

  close(): void {
    this.request.destroy();
  }

  private describe(): string {
    return this.events.map((e) => `${e.id}:${e.event}${e.event === 'progress' ? `(${e.data.step})` : ''}`).join(', ');
  }

  private parse(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: Partial<SseEvent> & { lines: string[] } = { lines: [] };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('id: ')) event.id = line.slice(4);
        else if (line.startsWith('event: ')) event.event = line.slice(7);
        else if (line.startsWith('data: ')) event.lines.push(line.slice(6));
      }
      if (event.lines.length) this.events.push({ id: event.id, event: event.event ?? 'message', data: JSON.parse(event.lines.join('\n')) });
    }
  }
}
