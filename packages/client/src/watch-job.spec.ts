import { ConveyorApiError } from './api-error';
import type { ServerSentEvent } from './event-stream';
import { watchJob } from './watch-job';

const view = (conveyorStatus: string, status = conveyorStatus) => ({
  jobId: 'job-1',
  status,
  conveyorStatus,
  progress: { percent: 100, step: null },
});
const frame = (id: number, event: string, data: object) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A fetch whose answers are given in order; each stream is its chunks, then an end or a break. */
function fakeFetch(answers: Array<{ chunks: string[]; breaks?: boolean } | Response | Error>) {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), headers: init?.headers as Record<string, string> });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    if (answer instanceof Response) return answer;
    const chunks = [...answer.chunks];
    // One chunk per read, so a break comes after the reader has had them all.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk !== undefined) controller.enqueue(new TextEncoder().encode(chunk));
        else if (answer.breaks) controller.error(new TypeError('terminated'));
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

const connection = (fetch: typeof globalThis.fetch) => ({ baseUrl: 'http://api.test', headers: { 'x-user-id': 'alice' }, fetch });

describe(watchJob.name, () => {
  it('calls onEvent for every event (comments skipped) and resolves with the final one', async () => {
    const { fetch, requests } = fakeFetch([
      {
        chunks: [
          'retry: 3000\n\n',
          frame(1, 'snapshot', view('active')),
          frame(2, 'progress', { percent: 50, step: 'fetch' }),
          ': ping\n\n',
        ],
      },
      { chunks: [frame(3, 'snapshot', view('active')), frame(4, 'completed', view('completed'))] },
    ]);
    const seen: ServerSentEvent[] = [];

    const event = await watchJob(connection(fetch), 'job-1', (e) => seen.push(e), { reconnectDelayMs: 0 });

    expect(event).toEqual({ id: '4', event: 'completed', data: view('completed') });
    expect(seen.map((e) => e.event)).toEqual(['snapshot', 'progress', 'snapshot', 'completed']);
    expect(requests).toHaveLength(2);
  });

  it('reconnects with Last-Event-ID when the stream ends or breaks before the final event', async () => {
    const { fetch, requests } = fakeFetch([
      { chunks: [frame(1, 'snapshot', view('active')), frame(2, 'progress', { jobId: 'job-1', percent: 50, step: 'fetch' })] },
      { chunks: [frame(3, 'snapshot', view('active'))], breaks: true },
      { chunks: [frame(4, 'snapshot', view('completed', 'succeeded')), frame(5, 'succeeded', view('completed', 'succeeded'))] },
    ]);
    const reconnects: Array<[number, string | undefined]> = [];

    const event = await watchJob(connection(fetch), 'job-1', () => undefined, {
      reconnectDelayMs: 0,
      onReconnect: (attempt, id) => reconnects.push([attempt, id]),
    });

    expect(event).toMatchObject({ id: '5', event: 'succeeded' });
    expect(requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '2', '3']);
    expect(requests[0]).toEqual({
      url: 'http://api.test/api/v1/jobs/job-1/events',
      headers: { 'x-user-id': 'alice', accept: 'text/event-stream' },
    });
    expect(reconnects).toEqual([
      [1, '2'],
      [1, '3'],
    ]);
  });

  it('rejects with the API error when the stream is refused', async () => {
    const refusal = { success: false, error_code: 'JOB_NOT_FOUND', detail: 'Job job-1 not found' };
    const { fetch, requests } = fakeFetch([new Response(JSON.stringify(refusal), { status: 404 })]);

    const watching = watchJob(connection(fetch), 'job-1', () => undefined, { reconnectDelayMs: 0 });

    await expect(watching).rejects.toEqual(new ConveyorApiError(404, 'JOB_NOT_FOUND', 'Job job-1 not found'));
    await expect(watching).rejects.toMatchObject({ status: 404, code: 'JOB_NOT_FOUND' });
    expect(requests).toHaveLength(1);
  });

  it('gives up after maxReconnects attempts in a row that deliver nothing', async () => {
    const down = () => new TypeError('fetch failed');
    const { fetch, requests } = fakeFetch([down(), down(), down()]);

    await expect(watchJob(connection(fetch), 'job-1', () => undefined, { reconnectDelayMs: 0, maxReconnects: 2 })).rejects.toThrow(
      'ended 3 times in a row before its final event',
    );
    expect(requests).toHaveLength(3);
  });

  it('lets an error thrown by onEvent through instead of reconnecting', async () => {
    const { fetch, requests } = fakeFetch([{ chunks: [frame(1, 'snapshot', view('active'))] }]);
    const failing = () => {
      throw new TypeError('a bug in the caller');
    };

    await expect(watchJob(connection(fetch), 'job-1', failing, { reconnectDelayMs: 0 })).rejects.toThrow('a bug in the caller');
    expect(requests).toHaveLength(1);
  });
});
