import { withoutSecrets } from './queue-dashboard';

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
