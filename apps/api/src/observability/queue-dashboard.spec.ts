import Bull from 'bull';
import { dashboardAdapter, withoutSecrets } from './queue-dashboard';

describe(withoutSecrets.name, () => {
  it('hides every secret in job data, however deep, and keeps the rest', () => {
    const envelope = { payload: { url: 'http://x', list: [{ secret: 's1' }] }, callback: { url: 'http://cb', secret: 's2' }, run: 1 };
    expect(withoutSecrets(envelope)).toEqual({
      payload: { url: 'http://x', list: [{ secret: '[redacted]' }] },
      callback: { url: 'http://cb', secret: '[redacted]' },
      run: 1,
    });
    expect(envelope.callback.secret).toBe('s2'); // the job's own data is untouched
    expect(withoutSecrets(null)).toBeNull();
    expect(withoutSecrets('text')).toBe('text');
  });
});

describe('dashboard credentials', () => {
  it("hides http.request's authorization and cookie headers, tokens, passwords and API keys", () => {
    const data = {
      payload: {
        url: 'http://x',
        headers: { Authorization: 'Bearer abc', 'x-api-key': 'k', Cookie: 'sid=1', accept: 'text/html' },
        body: { password: 'p', note: 'kept' },
      },
      callback: { url: 'http://cb', token: 't' },
      delivery: { bearer: 'klip-token' },
    };
    expect(withoutSecrets(data)).toEqual({
      payload: {
        url: 'http://x',
        headers: { Authorization: '[redacted]', 'x-api-key': '[redacted]', Cookie: '[redacted]', accept: 'text/html' },
        body: { password: '[redacted]', note: 'kept' },
      },
      callback: { url: 'http://cb', token: '[redacted]' },
      delivery: { bearer: '[redacted]' },
    });
  });
});

describe(dashboardAdapter.name, () => {
  // A Bull queue object connects lazily: nothing here reaches Redis.
  const queue = new Bull('dashboard-spec', { redis: { lazyConnect: true, maxRetriesPerRequest: 0 } });
  afterAll(() => queue.close());

  it('makes a job-type queue read-only (its operations are the API’s, which keep records), a service queue not', () => {
    expect(dashboardAdapter(queue, false)).toMatchObject({ readOnlyMode: true, allowRetries: false });
    expect(dashboardAdapter(queue, true)).toMatchObject({ readOnlyMode: false, allowRetries: true });
  });
});
