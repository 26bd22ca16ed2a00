/** One Server-Sent Event, its data parsed as JSON when it is JSON. */
export interface ServerSentEvent {
  /** The `id` field, when the event had one. */
  id?: string;
  /** The `event` field; `message` when absent (as EventSource names it). */
  event: string;
  data: unknown;
}

/**
 * An incremental `text/event-stream` reader (the WHATWG EventSource rules): feed it text as it
 * arrives, in chunks cut anywhere, and it returns the events each chunk completed. Comments
 * (`: ping`) are skipped; `retry` is kept for the caller's reconnect.
 */
export class EventStreamParser {
  /** The last `retry:` the server sent, in ms. */
  retryMs?: number;
  private buffer = '';
  private id?: string;
  private event = '';
  private data: string[] = [];

  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
    const lines = this.buffer.split(/\r\n|\r(?!$)|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }

  /** A blank line ends an event; one without data lines is not dispatched. The id carries over. */
  private dispatch(): ServerSentEvent | undefined {
    const data = this.data;
    const event = this.event || 'message';
    this.data = [];
    this.event = '';
    if (data.length === 0) return undefined;
    return { ...(this.id !== undefined && { id: this.id }), event, data: parseData(data.join('\n')) };
  }
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
