import { LoggedError, errorField, messageOf } from './error-message';

describe('errorField', () => {
  it('logs an error by name, message, code and stack, and nothing else it carries', () => {
    const error = Object.assign(new TypeError('connect refused'), {
      code: 'ECONNREFUSED',
      options: { headers: { authorization: 'Bearer s3cret' } },
    });
    const { err } = errorField(error);
    expect(err).toEqual({ type: 'TypeError', message: 'connect refused', code: 'ECONNREFUSED', stack: error.stack });
    expect(JSON.stringify(err)).not.toContain('s3cret');
  });

  it('logs anything thrown that is not an Error as text, with its type', () => {
    expect(errorField('timed out')).toEqual({ err: { type: 'string', message: 'timed out' } });
    expect(errorField(undefined).err.message).toBe('undefined');
    expect(messageOf(42)).toBe('42');
  });

  it("keeps a refusal's code and message when it is a plain object", () => {
    expect(errorField({ code: 'OVERLAP', message: 'the previous run is still going', secret: 'x' })).toEqual({
      err: { type: 'object', code: 'OVERLAP', message: 'the previous run is still going' },
    });
  });

  it('follows the cause, cut down the same way, a few levels deep', () => {
    const root = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', request: { headers: { cookie: 'c' } } });
    const { err } = errorField(new Error('fetch failed', { cause: new Error('connect failed', { cause: root }) }));
    expect(err.cause).toMatchObject({ type: 'Error', message: 'connect failed', cause: { message: 'socket hang up', code: 'ECONNRESET' } });
    expect(JSON.stringify(err)).not.toContain('cookie');
    let deep: Error = new Error('0');
    for (let i = 1; i < 10; i++) deep = new Error(String(i), { cause: deep });
    let depth = 0;
    for (let e: LoggedError | undefined = errorField(deep).err; e; e = e.cause) depth++;
    expect(depth).toBe(4);
  });
});
