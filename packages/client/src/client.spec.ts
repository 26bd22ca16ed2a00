import { ConveyorApiError } from './api-error';
import { createConveyorClient } from './client';

/** A fetch that records each request and answers with `status` and `body`. */
function answering(status: number, body: unknown) {
  const requests: Request[] = [];
  const fetch = async (input: string | URL | Request) => {
    requests.push(input as Request);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

describe(createConveyorClient.name, () => {
  it('sends the identity headers and unwraps the success envelope', async () => {
    const job = { jobId: 'job-1', status: 'waiting' };
    const { fetch, requests } = answering(200, { success: true, data: job });
    const client = createConveyorClient({ baseUrl: 'http://api.test/', token: 'admin-token', userId: 'alice', fetch });

    await expect(client.getJob('job-1')).resolves.toEqual(job);

    expect(requests[0].url).toBe('http://api.test/api/v1/jobs/job-1');
    expect(requests[0].headers.get('authorization')).toBe('Bearer admin-token');
    expect(requests[0].headers.get('x-user-id')).toBe('alice');
  });

  it('passes list filters as the query and Prefer: wait on submit', async () => {
    const { fetch, requests } = answering(200, { success: true, data: { items: [], nextCursor: null } });
    const client = createConveyorClient({ baseUrl: 'http://api.test', fetch });

    await client.listJobs({ status: 'failed', limit: 5 });
    await client
      .submitJob({ type: 'http.request', data: { url: 'http://x.test', method: 'GET' } }, { waitSeconds: 5 })
      .catch(() => undefined);

    expect(requests[0].url).toBe('http://api.test/api/v1/jobs?status=failed&limit=5');
    expect(requests[1].method).toBe('POST');
    expect(requests[1].headers.get('prefer')).toBe('wait=5');
  });

  it('turns an error envelope into a ConveyorApiError with its code, detail and field errors', async () => {
    const errors = [{ field: 'data.url', message: 'data.url must be a URL' }];
    const { fetch } = answering(400, { success: false, error_code: 'VALIDATION_FAILED', detail: 'Validation failed', errors });
    const client = createConveyorClient({ baseUrl: 'http://api.test', fetch });

    const failure = await client.cancelJob('job-1').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ConveyorApiError);
    expect(failure).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', detail: 'Validation failed', errors });
  });

  it('names the HTTP status when the answer is not an envelope (a proxy page)', async () => {
    const { fetch } = answering(502, '<html>Bad Gateway</html>');
    const client = createConveyorClient({ baseUrl: 'http://api.test', fetch });

    await expect(client.listQueues()).rejects.toMatchObject({ status: 502, code: 'HTTP_502', detail: '<html>Bad Gateway</html>' });
  });
});
